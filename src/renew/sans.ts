import { canonicalIP, isIP } from "../cluster/net.js";
import { checkSANs } from "../cluster/patch.js";
import { inputError } from "../errors.js";

/** What `--add-san` / `--remove-san` ask for, already validated (IPs in canonical form). */
export interface SANChange {
  add: string[];
  remove: string[];
}

export interface SANs {
  dnsNames: string[];
  ipAddresses: string[];
}

/** The flags' entries, each an IP or a DNS name (kubeadm's certSANs rule); a name in both lists is bad input. */
export function parseSANChange(add: string[], remove: string[]): SANChange {
  // DNS names are already lower case: kubeadm's rule (RFC 1123) refuses capitals.
  const norm = (entries: string[], flag: string) => checkSANs(entries, flag).map((e) => (isIP(e) ? canonicalIP(e) : e));
  const change = { add: [...new Set(norm(add, "--add-san"))], remove: [...new Set(norm(remove, "--remove-san"))] };
  const both = change.add.find((e) => change.remove.includes(e));
  if (both) throw inputError(`--add-san and --remove-san both name ${both}`);
  return change;
}

/**
 * The certificate's SANs after the change: the old ones in their order,
 * removed ones dropped, new ones appended (DNS names to the DNS names, IPs to
 * the IPs). A certificate made elsewhere may spell a name in capitals: DNS
 * names compare without case. Removing a name the certificate does not have
 * is bad input: the user is mistaken about what it holds.
 */
export function applySANChange(old: SANs, change: SANChange, what: string): SANs & { added: string[]; removed: string[] } {
  const has = (e: string) => (isIP(e) ? old.ipAddresses.some((ip) => canonicalIP(ip) === e) : old.dnsNames.some((d) => d.toLowerCase() === e));
  const missing = change.remove.filter((e) => !has(e));
  if (missing.length) {
    throw inputError(`--remove-san: ${what} has no SAN ${missing.join(", ")}`, `its SANs: ${[...old.dnsNames, ...old.ipAddresses].join(", ") || "none"}`);
  }
  const dropped = (e: string) => change.remove.includes(isIP(e) ? canonicalIP(e) : e.toLowerCase());
  const added = change.add.filter((e) => !has(e));
  const dnsNames = [...old.dnsNames.filter((d) => !dropped(d)), ...added.filter((e) => !isIP(e))];
  const ipAddresses = [...old.ipAddresses.filter((ip) => !dropped(ip)), ...added.filter((e) => isIP(e))];
  return { dnsNames, ipAddresses, added, removed: change.remove };
}
