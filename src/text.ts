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
