// Small input helpers shared by the onboarding commands (kubeconfig, user, csr, sign).
import { inputError } from "../errors.js";
import { commaList } from "./args.js";

/** --group/--org values, repeated or comma-separated, as kubeadm's string slices. */
export function groupsOf(values: string | string[] | undefined): string[] {
  return [...new Set(commaList(values) ?? [])];
}

/** An API server URL as a kubeconfig needs it: https, a host, an optional port. */
export function checkServerURL(text: string, what = "--server"): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw inputError(`${what}: "${text}" is not a URL`, "use https://HOST:PORT, such as https://10.0.0.10:6443");
  }
  if (url.protocol !== "https:") throw inputError(`${what}: "${text}" is not https (the API server only speaks TLS)`, "use https://HOST:PORT");
  if (!url.hostname) throw inputError(`${what}: "${text}" has no host`);
  return text.replace(/\/+$/, "");
}
