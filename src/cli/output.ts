import { fstatSync, writeSync } from "node:fs";
import { styleFor, type Style } from "../style.js";

// A pipe or a file takes the output straight through its descriptor: process.stdout
// would be a stream object (a net.Socket on a pipe) that costs a few milliseconds
// to create, for one write. A character device, which is what a terminal is (and
// /dev/null), keeps process.stdout: it knows terminals.
const direct = (() => {
  try {
    return !fstatSync(1).isCharacterDevice();
  } catch {
    return false;
  }
})();

/** Writes a command's output to stdout, synchronously. */
export function writeStdout(text: string): void {
  if (!direct) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A non-blocking pipe that is full: the stream waits for it.
      if (code === "EAGAIN") return void process.stdout.write(bytes.subarray(offset));
      // The reader has gone (`| head`): there is no one left to write to.
      if (code === "EPIPE") return;
      throw err;
    }
  }
}

/** Colours for stdout: none on a pipe or a file. */
export function stdoutStyle(): Style {
  return styleFor(direct ? { isTTY: false } : process.stdout);
}

/** Prints `-o json|yaml` data; the YAML library is loaded only when YAML is asked for. */
export async function printData(format: "json" | "yaml", data: unknown): Promise<void> {
  if (format === "json") {
    writeStdout(JSON.stringify(data, null, 2) + "\n");
    return;
  }
  const { toYAML } = await import("../yaml.js");
  writeStdout(toYAML(data));
}
