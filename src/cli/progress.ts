import { isatty } from "node:tty";

/**
 * A progress bar on stderr, shown only on a terminal and only once the work
 * has taken more than a second (a quick run prints nothing).
 */
export function progressBar(label: string) {
  // isatty(2) first: merely touching process.stderr builds the stream, a few ms a quick run need not spend.
  if (!isatty(2)) return { update() {}, stop() {} };
  const stream = process.stderr;
  const started = Date.now();
  let shown = false;
  let last = { done: 0, total: 0 };
  const draw = () => {
    const width = 24;
    const filled = last.total ? Math.round((last.done / last.total) * width) : 0;
    stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${last.done}/${last.total}`);
    shown = true;
  };
  const timer = setInterval(() => Date.now() - started > 1000 && draw(), 200);
  timer.unref();
  return {
    update(done: number, total: number) {
      last = { done, total };
      if (shown) draw();
    },
    stop() {
      clearInterval(timer);
      if (shown) stream.write("\r\x1b[K");
    },
  };
}
