// Shared bench plumbing: run commands several times, take medians, print ratios.
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";

/** Wall time of one run of `setup(); run()` in ms; setup is not timed. */
export function timeOnce(run, setup) {
  setup?.();
  const t0 = performance.now();
  run();
  return performance.now() - t0;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// NODE_EXTRA_CA_CERTS makes every Node process read and parse a CA bundle at start (about 40 ms
// here): most users do not set it, and it would hide start-up costs, so the bench runs without it.
delete process.env.NODE_EXTRA_CA_CERTS;

/** Runs a command, failing loudly: a bench that silently measures an error is worse than none. */
export function must(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.error}`);
  return r.stdout;
}

/**
 * Measures each case `reps` times, interleaved (case A, B, C, A, B, C…) so that
 * machine noise hits all of them alike; prints medians and ratios to `baseline`.
 */
export function compare(title, cases, { reps = 5, baseline }) {
  const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (const c of cases) c.warmup !== false && timeOnce(c.run, c.setup); // page cache, first-run effects
  for (let i = 0; i < reps; i++) for (const c of cases) samples[c.name].push(timeOnce(c.run, c.setup));
  const medians = Object.fromEntries(cases.map((c) => [c.name, median(samples[c.name])]));
  const base = medians[baseline];
  console.log(`\n${title}  (median of ${reps}, ${cpus().length} × ${cpus()[0]?.model.trim()})`);
  for (const c of cases) {
    const ratio = base ? (medians[c.name] / base).toFixed(2) : "-";
    console.log(`  ${c.name.padEnd(44)} ${medians[c.name].toFixed(0).padStart(7)} ms   ${ratio.padStart(6)}× ${baseline}`);
  }
  return medians;
}
