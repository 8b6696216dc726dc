import { canonicalIP, isDNSSan, isIP } from "../cluster/net.js";
import type { AltNames } from "./types.js";

/**
 * Sorts SAN candidates the way kubeadm's certlist does: IP-looking entries go to
 * IPs, the rest to DNS names (invalid names were rejected when the cluster
 * description was read).
 */
export function splitSANs(entries: string[]): AltNames {
  const out: AltNames = { dnsNames: [], ipAddresses: [] };
  for (const e of entries) {
    if (isIP(e)) out.ipAddresses.push(canonicalIP(e));
    else if (isDNSSan(e)) out.dnsNames.push(e);
  }
  return out;
}

/**
 * kubeadm's RemoveDuplicateAltNames: DNS names de-duplicated and sorted
 * ascending; IPs de-duplicated by string form in first-seen order.
 */
export function dedupeAltNames(names: AltNames): AltNames {
  return {
    dnsNames: [...new Set(names.dnsNames)].sort(),
    ipAddresses: [...new Set(names.ipAddresses.map(canonicalIP))],
  };
}

export function mergeAltNames(...parts: AltNames[]): AltNames {
  return dedupeAltNames({
    dnsNames: parts.flatMap((p) => p.dnsNames),
    ipAddresses: parts.flatMap((p) => p.ipAddresses),
  });
}
