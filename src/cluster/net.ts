import ipaddr from "ipaddr.js";
import { inputError } from "../errors.js";

// ipaddr.js's generic parse tries IPv6, then IPv4, by exceptions; the family is
// plain from a colon, so each address goes straight to its family's parser. And
// the catalog asks about the same few addresses again and again: answers are kept.
const memo = <T>(fn: (text: string) => T) => {
  const answers = new Map<string, T>();
  return (text: string): T => {
    if (!answers.has(text)) answers.set(text, fn(text));
    return answers.get(text)!;
  };
};

/** True when `text` is an IPv4 or IPv6 address (no CIDR, no brackets). */
export const isIP = memo((text) => (text.includes(":") ? ipaddr.IPv6.isValid(text) : ipaddr.IPv4.isValidFourPartDecimal(text)));

const parseAddress = (text: string): ipaddr.IPv4 | ipaddr.IPv6 => (text.includes(":") ? ipaddr.IPv6.parse(text) : ipaddr.IPv4.parse(text));
const parseCidr = (text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] => (text.includes(":") ? ipaddr.IPv6.parseCIDR(text) : ipaddr.IPv4.parseCIDR(text));

/** The canonical text of an IP, as Go's net.IP.String() prints it. */
export const canonicalIP = memo((text) => {
  const addr = parseAddress(text);
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (addr as ipaddr.IPv6).toIPv4Address().toString();
  }
  return addr.toString();
});

export function parseIP(text: string, what: string): string {
  if (!isIP(text)) throw inputError(`${what}: "${text}" is not an IP address`);
  return canonicalIP(text);
}

/**
 * Validates a service subnet as kubeadm takes it ("10.96.0.0/12", or a dual-stack
 * "10.96.0.0/12,fd00::/108") and returns the CIDRs.
 */
export function parseServiceSubnet(text: string, what: string): string[] {
  const cidrs = text.split(",").map((c) => c.trim());
  for (const cidr of cidrs) {
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      parsed = parseCidr(cidr);
    } catch {
      throw inputError(`${what}: "${cidr}" is not a CIDR`, 'write it as ADDRESS/PREFIX, for example "10.96.0.0/12"');
    }
    const [addr, prefix] = parsed;
    const bits = addr.kind() === "ipv4" ? 32 : 128;
    if (prefix > bits - 2) throw inputError(`${what}: "${cidr}" is too small to hold a service IP`);
    if (cidr.split("/")[0].includes(".") !== (addr.kind() === "ipv4")) {
      throw inputError(`${what}: "${cidr}" is not a CIDR`);
    }
  }
  return cidrs;
}

/**
 * The first usable IP of a CIDR: kubeadm's GetIndexedIP(cidr, 1), which the
 * API server takes as the `kubernetes` Service's ClusterIP (10.96.0.0/12 → 10.96.0.1).
 */
export const firstServiceIP = memo((cidr) => {
  const [addr, prefix] = parseCidr(cidr);
  const bytes = addr.toByteArray();
  // Zero the host bits, then add one.
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] &= (0xff << (8 - keep)) & 0xff;
  }
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (++bytes[i] <= 0xff) break;
    bytes[i] = 0;
  }
  return ipaddr.fromByteArray(bytes).toString();
});

const DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

/** RFC 1123 subdomain, as Kubernetes validates names (lower case, at most 253 characters). */
export function isDNSSubdomain(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

/** A SAN entry kubeadm would accept for DNS: a subdomain or a wildcard `*.subdomain`. */
export function isDNSSan(name: string): boolean {
  return isDNSSubdomain(name.startsWith("*.") ? name.slice(2) : name);
}

/** Splits an address "host", "host:port", "[v6]:port" or bare IPv6 into host and optional port. */
export function splitHostPort(text: string, what: string): { host: string; port?: number } {
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if (!isIP(text) && text.includes(":")) {
    const i = text.lastIndexOf(":");
    host = text.slice(0, i);
    portText = text.slice(i + 1);
  }
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw inputError(`${what}: invalid port in "${text}"`);
  }
  if (!isIP(host) && !isDNSSubdomain(host)) throw inputError(`${what}: "${host}" is neither an IP address nor a DNS name`);
  return { host: isIP(host) ? canonicalIP(host) : host, port };
}

/** "https://host:port" with IPv6 bracketed, like Go's net.JoinHostPort. */
export function httpsURL(host: string, port: number): string {
  return `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
