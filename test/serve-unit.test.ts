// The exporter's parts on their own: the scheduler (never two checks at once,
// readers see the last complete one), the folder watcher, --listen parsing.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CheckScheduler, type SchedulerState } from "../src/serve/scheduler.ts";
import { FolderWatcher } from "../src/serve/watch.ts";
import { pathOnNode } from "../src/serve/pages.ts";
import { parseListen } from "../src/cli/serve.ts";
import { tempDir, waitFor } from "./helpers.ts";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("scheduler: one check at a time, a trigger during a check runs one more after it, a failure keeps the last result", async () => {
  let running = 0;
  let maxRunning = 0;
  let n = 0;
  let fail = false;
  const seen: SchedulerState<number>[] = [];
  const scheduler = new CheckScheduler<number>({
    intervalMs: 60_000,
    check: async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick(50);
      running--;
      if (fail) throw new Error("broken");
      return ++n;
    },
    onUpdate: (state) => seen.push(structuredClone({ ...state, lastError: undefined })),
  });
  await scheduler.start();
  assert.equal(scheduler.state.lastSuccess.result, 1);
  // Three triggers while one check runs: that check, then exactly one more.
  const a = scheduler.trigger();
  await tick(10);
  scheduler.trigger();
  scheduler.trigger();
  // Mid-check, readers still see the last complete result.
  assert.equal(scheduler.state.lastSuccess.result, 1);
  await a;
  assert.equal(maxRunning, 1);
  assert.equal(scheduler.state.attempts, 3);
  assert.equal(scheduler.state.lastSuccess.result, 3);

  fail = true;
  await scheduler.trigger();
  assert.equal(scheduler.state.ok, false);
  assert.equal(scheduler.state.failures, 1);
  assert.equal(scheduler.state.lastSuccess.result, 3, "the last complete result stays");
  assert.ok(scheduler.state.lastSuccess.durationMs! >= 40);
  await scheduler.stop();
  assert.equal(seen.length, 4);
  // After stop, nothing starts.
  await scheduler.trigger();
  assert.equal(scheduler.state.attempts, 4);
});

test("watcher: one call a fixed delay after the first change of a burst, even while changes go on; folders that appear later are picked up", async (t) => {
  const dir = tempDir(t);
  let calls = 0;
  const watcher = new FolderWatcher(() => calls++, 200);
  t.after(() => watcher.close());
  const later = join(dir, "etcd");
  watcher.sync([dir, later]); // "etcd" does not exist yet: skipped, not an error
  // Changes every 50 ms for 600 ms: a trailing debounce would never fire; this fires every ~200 ms.
  const started = Date.now();
  for (let i = 0; i < 12; i++) {
    writeFileSync(join(dir, "ca.crt"), String(i));
    await tick(50);
  }
  // At most one call per 200 ms (timers run late on a busy machine: count by the time that really passed).
  assert.ok(calls >= 2 && calls <= Math.ceil((Date.now() - started) / 200), `${calls} calls in ${Date.now() - started} ms`);
  mkdirSync(later);
  watcher.sync([dir, later]);
  const before = calls;
  writeFileSync(join(later, "server.crt"), "x");
  await waitFor(() => calls === before + 1, 5000, "a change in the new folder");
});

test("--listen: ADDR:PORT, [IPv6]:PORT, :PORT; anything else is an error naming the flag", () => {
  assert.deepEqual(parseListen("127.0.0.1:9795"), { host: "127.0.0.1", port: 9795 });
  assert.deepEqual(parseListen("[::1]:0"), { host: "::1", port: 0 });
  assert.deepEqual(parseListen(":9795"), { host: undefined, port: 9795 });
  assert.deepEqual(parseListen("localhost:80"), { host: "localhost", port: 80 });
  for (const bad of ["9795", "::1:9795", "[::1]", "127.0.0.1:", "127.0.0.1:65536", "[example.com]:1", "a:b"]) {
    assert.throws(() => parseListen(bad), (err: Error & { exitCode?: number }) => err.exitCode === 2 && /^--listen: /.test(err.message), bad);
  }
});

test("file labels are paths on the node: the root comes off, files outside it keep their path", () => {
  const label = pathOnNode("/host");
  assert.equal(label("/host/etc/kubernetes/pki/ca.crt"), "/etc/kubernetes/pki/ca.crt");
  assert.equal(label("/srv/pki/ca.crt"), "/srv/pki/ca.crt");
  assert.equal(label("/hostile/ca.crt"), "/hostile/ca.crt");
  assert.equal(pathOnNode("/")("/etc/kubernetes/admin.conf"), "/etc/kubernetes/admin.conf");
});
