/**
 * Text that came from input (a CN, a SAN, a log line, a file name) on its way
 * to a terminal or a text report, and paths on their way into a printed shell
 * command. The two places where an attacker's bytes or a space in a path could
 * change what a user sees or runs.
 */

// C0 and C1 controls, DEL, and the Unicode controls that reorder or hide text
// (bidi overrides and isolates, zero-width joiners, line/paragraph separators).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Shows every control character as an escape (`\x1b`, `\u202e`), so that
 * input can neither move the cursor, recolour, hide text, write the clipboard
 * (OSC 52) nor forge lines. JSON and YAML output keep the true value; only
 * text meant for a person goes through here.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * A copy of a report's data with every string made terminalSafe, for a text
 * renderer to take first: the renderer's own colours are added after, so they
 * survive, and every name, SAN, log line and path it prints is escaped without
 * one call per field. Plain objects and arrays are copied (shared and cyclic
 * ones once); Dates, Buffers and other class instances are kept as they are.
 */
export function terminalSafeDeep<T>(value: T): T {
  const seen = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (typeof v === "string") return terminalSafe(v);
    if (v === null || typeof v !== "object") return v;
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return v;
    const done = seen.get(v);
    if (done !== undefined) return done;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const x of v) out.push(copy(x));
      return out;
    }
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const [k, x] of Object.entries(v)) out[k] = copy(x);
    return out;
  };
  return copy(value) as T;
}

// The colour codes src/style.ts writes (bold, dim, normal, red, green, yellow, default colour).
const OWN_STYLE = /\x1b\[(?:1|2|22|31|32|33|39)m/y;

/**
 * terminalSafe for text that may already carry kubepki's own colours: those
 * exact codes are kept, every other control character escaped (a CN's
 * `\x1b[8m`, which hides what follows, included). The last line of defence
 * in table(); the renderers escape their data first (terminalSafeDeep).
 */
export function terminalSafeStyled(text: string): string {
  if (isTerminalSafe(text)) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    OWN_STYLE.lastIndex = i;
    const m = text[i] === "\x1b" ? OWN_STYLE.exec(text) : null;
    if (m) {
      out += m[0];
      i += m[0].length - 1;
    } else out += terminalSafe(text[i]);
  }
  return out;
}

/**
 * A finished text report made safe line by line (kubepki's colours kept), for
 * the commands whose output mixes paths and names into sentences. A newline
 * inside a value cannot be told from the report's own here; renderers that
 * escape their data first (terminalSafeDeep) close that too.
 */
export function terminalSafeLines(text: string): string {
  return isTerminalSafe(text.replace(/\n/g, "")) ? text : text.split("\n").map(terminalSafeStyled).join("\n");
}

/** True when the text has nothing terminalSafe would change. */
export function isTerminalSafe(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return !UNSAFE.test(text);
}

// Words a POSIX shell passes through unchanged when unquoted.
const SHELL_PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One argument of a printed command, quoted for a POSIX shell only when it
 * needs to be: `'/etc/my dir/ca.crt'`, `'it'\''s'`. A printed fix must run as
 * printed, whatever the path holds.
 */
export function shellQuote(arg: string): string {
  if (arg !== "" && SHELL_PLAIN.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A whole command line from its words, each quoted as needed. */
export function shellCommand(words: string[]): string {
  return words.map(shellQuote).join(" ");
}
