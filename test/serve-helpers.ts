// Starting `kubepki serve` in tests and reading what it serves.
import { spawn, type ChildProcess } from "node:child_process";
import type { TestContext } from "node:test";
import { BIN, waitFor } from "./helpers.ts";

export interface Served {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `kubepki serve` on a free loopback port (it prints the address it bound) and stops it when the test ends. */
export async function serve(t: TestContext | undefined, args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, "serve", "--listen", "127.0.0.1:0", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  t?.after(() => void child.kill("SIGKILL"));
  let url = "";
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${output}`);
    url = /listening on (https?:\/\/\S+)/.exec(output)?.[1] ?? "";
    return url !== "";
  }, 20_000, "kubepki serve to listen");
  return { url, child, output: () => output, exited };
}

export async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), type: res.headers.get("content-type") };
}

/** The value of one sample, by metric name and a label subset. */
export function sample(metrics: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of metrics.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}
