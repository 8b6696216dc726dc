import { resolve } from "node:path";
import { splitSANs } from "../catalog/altnames.js";
import { formatGoDuration, parseDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { readCSRFile, serializeObject, withIssuedCertificate } from "../kube/csr.js";
import { certificateToPEM } from "../pki/certificate.js";
import { loadSigningCA, loadSigningCAFiles } from "../signer/ca.js";
import { assertCAUsable } from "../pki/ca-validity.js";
import { parseSignerFlag, requestFrom } from "../signer/request.js";
import { assessRequest, DEFAULT_SIGNING_DURATION_MS, signRequest, type SignedCertificate } from "../signer/sign.js";
import { LOCAL_USAGES } from "../signer/signers.js";
import { PUBLIC_MODE } from "../store/files.js";
import { replaceFile } from "../store/replace.js";
import { terminalSafe } from "../text.js";
import { commaList, formatAndFile, parseFlags, parseNow } from "./args.js";
import { inputName, readInput, readPassphrase } from "./input.js";

export const help = `Usage: kubepki sign FILE [--cert-dir DIR | --ca CA.crt --ca-key CA.key] [--signer NAME] [--usages LIST] [--san NAME]…
                    [--duration D] [--allow-privileged] [--allow-weak] [-o pem|yaml|json] [--out FILE]

Signs a certificate request with the CA in DIR (ca.crt and ca.key), exactly as
kube-controller-manager's built-in signer would after approval — for a cluster
without one at hand, or to see what it would issue:

  - the request's own signature must verify (proof of possession);
  - the signer's rules must hold (kube-apiserver-client: usages among digital
    signature, key encipherment, client auth, with client auth;
    kube-apiserver-client-kubelet: CN system:node:<name>, O exactly
    system:nodes, no SANs; kubelet-serving: the same subject, a DNS or IP SAN);
  - subject and SANs are copied, the request's extensions are dropped, usages
    become key usage and extended key usage, never a CA;
  - a 128-bit random serial; NotBefore 5 minutes back; the lifetime is the
    smaller of expirationSeconds (at least 10 minutes), --duration and the CA's
    own expiry (a lifetime of 8h or more also ends 5 minutes early, as upstream).

--signer local signs what no Kubernetes signer issues — the API server's,
etcd's and the front-proxy's certificates, a server or peer of your own: the
usages are exactly --usages (Kubernetes names), subject and SANs are copied,
--san adds names, and it is never a CA. It is the study note's
'openssl x509 -req … -extfile openssl.cnf' step in one command.

A request with SANs or asking for server auth is refused by the client-only
signers (kube-apiserver-client, kube-apiserver-client-kubelet): it would become
a client certificate with names no server could use. Sign it with --signer local.

Refused, with exit status 2 and nothing written: a request a signer would
refuse; a privileged identity (system:masters, kubeadm:cluster-admins, a node
through a non-kubelet signer, a control-plane component name…) unless
--allow-privileged; an RSA key under 2048 bits unless --allow-weak; a Denied
or Failed CSR object; a CA that is expired or not yet valid.

FILE is a PEM request, a CertificateSigningRequest (YAML or JSON) or a List;
"-" reads standard input. For PEM the output is the PEM certificate; for
objects it is the objects back with an Approved condition and
status.certificate filled, as the controller leaves them — ready for
'kubepki user kubeconfig --csr-object'.

Flags:
  --cert-dir DIR       folder with ca.crt and ca.key (default /etc/kubernetes/pki)
  --ca FILE            the CA certificate (with --ca-key, instead of --cert-dir)
  --ca-key FILE        the CA's private key
  --passphrase-file F  the CA key's passphrase, first line of F (for an encrypted key)
  --signer NAME        for a PEM request: kube-apiserver-client (default),
                       kube-apiserver-client-kubelet, kubelet-serving, or local
  --usages LIST        for a PEM request: usages (default: what that signer's clients send;
                       local: required, from ${LOCAL_USAGES.join(", ")})
  --san NAME           with --signer local: a DNS name or IP to add (repeat, or comma-separated)
  --duration D         the signing duration, kube-controller-manager's --cluster-signing-duration (default 8760h)
  --allow-privileged   sign privileged identities too
  --allow-weak         sign an RSA key of 1024 to 2047 bits (a lab)
  --now TIME           sign as at this RFC 3339 time
  -o, --output FMT     pem (for a PEM request, default), yaml or json (for objects, default: as read;
                       for a PEM request: a summary holding the certificate)
  --out FILE           where to write (default stdout); an existing file is backed up first

Exit status: 0 signed; 2 bad input or refused (nothing written).

Examples:
  # The seed's "openssl x509 -req -in jane.csr -CA ca.crt -CAkey ca.key", with Kubernetes' rules
  kubepki sign jane.csr --cert-dir /etc/kubernetes/pki --out jane.crt

  # The seed's server request (SANs and all) for the API server
  kubepki sign apiserver.csr --signer local --usages "digital signature,key encipherment,server auth" \\
      --san 10.0.0.50 --cert-dir /etc/kubernetes/pki --out apiserver.crt

  # An etcd peer: server and client auth
  kubepki sign etcd-peer.csr --signer local --usages "digital signature,key encipherment,server auth,client auth" \\
      --cert-dir /etc/kubernetes/pki/etcd --out peer.crt

  # A CSR object, as the controller would sign it after approval
  kubectl get csr jane -o yaml | kubepki sign - --cert-dir ./kubernetes/pki --out jane-signed.yaml
`;

const options = {
  "cert-dir": { type: "string" },
  ca: { type: "string" },
  "ca-key": { type: "string" },
  "passphrase-file": { type: "string" },
  signer: { type: "string" },
  usages: { type: "string", multiple: true },
  san: { type: "string", multiple: true },
  duration: { type: "string" },
  "allow-privileged": { type: "boolean" },
  "allow-weak": { type: "boolean" },
  output: { type: "string", short: "o" },
  out: { type: "string" },
  now: { type: "string" },
} as const;

const FORMATS = ["pem", "yaml", "json"] as const;

/** --san values: DNS names and IPs, each checked. */
function extraNames(values: string[] | undefined) {
  const entries = commaList(values) ?? [];
  for (const e of entries) {
    const one = splitSANs([e]);
    if (one.dnsNames.length + one.ipAddresses.length === 0) throw inputError(`--san: "${e}" is neither an IP address nor a DNS name`);
  }
  return splitSANs(entries);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("sign", argv, options, true);
  if (positionals.length !== 1) throw inputError("sign: give one FILE (a PEM request or a CertificateSigningRequest; - for standard input)");
  const { format, out } = formatAndFile("sign", values, FORMATS);
  const file = positionals[0];
  const name = inputName(file);
  const now = parseNow(values.now) ?? new Date();
  const signer = values.signer !== undefined ? parseSignerFlag(values.signer) : undefined;
  const signingDurationMs = values.duration !== undefined ? parseDuration(values.duration, "--duration") : DEFAULT_SIGNING_DURATION_MS;
  if (signingDurationMs <= 0) throw inputError(`--duration: must be positive, got "${values.duration}"`);
  if ((values.ca === undefined) !== (values["ca-key"] === undefined)) throw inputError("sign: --ca and --ca-key go together");
  if (values.ca && values["cert-dir"]) throw inputError("sign: --cert-dir and --ca/--ca-key exclude each other");
  const names = extraNames(values.san);
  const input = readCSRFile(readInput(file, name), name);
  if (format === "pem" && input.format !== "pem" && input.items.length > 1) throw inputError("sign: -o pem takes one request; this file holds several", "use -o yaml or -o json");
  const passphrase = values["passphrase-file"] !== undefined ? readPassphrase(values["passphrase-file"]) : undefined;
  const reader = { passphrase, passphraseFlag: true };
  const ca = values.ca ? await loadSigningCAFiles(values.ca, values["ca-key"]!, reader) : await loadSigningCA(values["cert-dir"] ?? "/etc/kubernetes/pki", "ca", reader);
  assertCAUsable(ca.cert, now, "", "sign");

  // Everything is checked before anything is signed or written.
  const requests = input.items.map((item) => {
    const req = requestFrom(item, name, { signer, usages: commaList(values.usages), extraNames: names });
    const at = item.source === "object" ? `${name}: CertificateSigningRequest ${item.name}` : name;
    const { violations, warnings } = assessRequest(req);
    if (violations.length) throw inputError(`${at}: refused: ${violations.join("; ")}`, "see 'kubepki csr review' for the whole picture");
    for (const w of warnings.filter((w) => w.level === "problem")) {
      if (w.code === "weak-key" && !values["allow-weak"]) throw inputError(`${at}: refused: ${w.message}`, "have the requester make a 2048-bit RSA or an ECDSA key (pass --allow-weak for a lab)");
      if (w.code === "client-only") {
        throw inputError(`${at}: refused: ${w.message}`, `for a server or peer certificate: --signer local --usages "digital signature,key encipherment,server auth" (add client auth for a peer); for a kubelet: --signer kubelet-serving`);
      }
    }
    const privileged = warnings.filter((w) => w.level === "privileged");
    if (privileged.length && !values["allow-privileged"]) {
      throw inputError(`${at}: refused: ${privileged.map((w) => w.message).join("; ")}`, "pass --allow-privileged if this is really meant");
    }
    if (item.certificate) throw inputError(`${at}: already signed (status.certificate is set, and immutable)`);
    const closed = item.conditions.find((c) => (c.type === "Denied" || c.type === "Failed") && c.status === "True");
    if (closed) {
      const what = closed.type === "Denied" ? "was denied" : "has failed";
      throw inputError(`${at}: ${what}${closed.message ? `: ${closed.message}` : ""}; kube-controller-manager never signs a ${closed.type} request`, "create a new request");
    }
    return { item, req };
  });
  const signed: SignedCertificate[] = requests.map(({ req }) => signRequest(req, ca, { now, signingDurationMs }));

  const output = render(input, requests, signed, format, now, ca.cert.subject.text);

  // A summary never mixes with the certificate on stdout.
  const log = out ? process.stdout : process.stderr;
  for (const [i, s] of signed.entries()) {
    const c = s.certificate;
    const { req } = requests[i];
    const origin = req.expirationSeconds !== undefined ? `expirationSeconds ${req.expirationSeconds}, signing duration ${formatGoDuration(signingDurationMs)}` : `signing duration ${formatGoDuration(signingDurationMs)}`;
    const sans = [...c.dnsNames.map((d) => `DNS:${d}`), ...c.ipAddresses.map((a) => `IP:${a}`)];
    log.write(
      terminalSafe(`signed ${c.subject.text || "(empty subject)"} for ${req.signerName}: ${[...c.keyUsage, ...c.extKeyUsage].join(", ")}${sans.length ? `; ${sans.join(", ")}` : ""}; `) +
        `valid ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()} (${origin}${s.cappedByCA ? ", cut to the CA's expiry" : ""}); serial ${c.serial}; by ${terminalSafe(ca.cert.subject.text)}\n`,
    );
  }
  if (out) {
    const backup = await replaceFile(resolve(out), output, PUBLIC_MODE, now);
    log.write(terminalSafe(`wrote ${out}${backup ? ` (the previous file was copied to ${backup})` : ""}`) + "\n");
  } else {
    process.stdout.write(output);
  }
  return 0;
}

type Input = ReturnType<typeof readCSRFile>;

/** The signed result in the chosen format: PEM, the objects back as the controller leaves them, or a summary. */
function render(input: Input, requests: { item: Input["items"][number]; req: { signerName: string } }[], signed: SignedCertificate[], format: (typeof FORMATS)[number] | undefined, now: Date, issuer: string): string {
  const pems = signed.map((s) => certificateToPEM(s.der));
  if (format === "pem" || (format === undefined && input.format === "pem")) return pems.join("");
  if (input.format !== "pem") {
    const objects = requests.map(({ item }, i) => withIssuedCertificate(item, pems[i], now));
    const doc = input.list ? { ...input.list, items: objects } : objects.length === 1 ? objects[0] : { apiVersion: "v1", kind: "List", items: objects };
    return serializeObject(doc, format ?? (input.format === "json" ? "json" : "yaml"));
  }
  const c = signed[0].certificate;
  const summary = {
    kind: "SignedCertificate", apiVersion: "kubepki.io/v1alpha1",
    signerName: requests[0].req.signerName, subject: c.subject.text, issuer,
    keyUsage: c.keyUsage, extKeyUsage: c.extKeyUsage, dnsNames: c.dnsNames, ipAddresses: c.ipAddresses,
    notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), serial: c.serial, cappedByCA: signed[0].cappedByCA,
    certificate: pems[0],
  };
  return serializeObject(summary, format!);
}
