import { resolve } from "node:path";
import { formatGoDuration } from "../cluster/duration.js";
import { parseDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { readCSRFile, serializeObject, withIssuedCertificate } from "../kube/csr.js";
import { certificateToPEM } from "../pki/certificate.js";
import { loadSigningCA } from "../signer/ca.js";
import { parseSignerFlag, requestFrom } from "../signer/request.js";
import { assessRequest, DEFAULT_SIGNING_DURATION_MS, signRequest, type SignedCertificate } from "../signer/sign.js";
import { PUBLIC_MODE } from "../store/files.js";
import { replaceFile } from "../store/replace.js";
import { commaList, parseFlags, parseNow } from "./args.js";
import { readText } from "../store/files.js";

export const help = `Usage: kubepki sign FILE --cert-dir DIR [--signer NAME] [--duration D] [--allow-privileged] [-o OUT]

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

A privileged identity (system:masters, kubeadm:cluster-admins, a node through a
non-kubelet signer, a control-plane component name…) is refused unless
--allow-privileged. Anything refused exits 2 and writes nothing.

FILE is a PEM request, a CertificateSigningRequest (YAML or JSON) or a List.
For PEM the output is the PEM certificate; for objects it is the objects back
with an Approved condition and status.certificate filled, as the controller
leaves them — ready for 'kubepki user kubeconfig --csr-object'.

Flags:
  --cert-dir DIR       folder with ca.crt and ca.key (default /etc/kubernetes/pki)
  --signer NAME        for a PEM request: kube-apiserver-client (default),
                       kube-apiserver-client-kubelet or kubelet-serving
  --usages LIST        for a PEM request: usages (default: what that signer's clients send)
  --duration D         the signing duration, kube-controller-manager's --cluster-signing-duration (default 8760h)
  --allow-privileged   sign privileged identities too
  -o, --out OUT        where to write (default stdout); an existing file is backed up first

Examples:
  # The seed's "openssl x509 -req -in jane.csr -CA ca.crt -CAkey ca.key", with Kubernetes' rules
  kubepki sign jane.csr --cert-dir /etc/kubernetes/pki -o jane.crt

  # A CSR object, as the controller would sign it after approval
  kubepki sign jane-csr.yaml --cert-dir ./kubernetes/pki -o jane-signed.yaml

  # A kubelet serving certificate
  kubepki sign node1-serving.csr --signer kubelet-serving --cert-dir ./kubernetes/pki -o node1.crt
`;

const options = {
  "cert-dir": { type: "string" },
  signer: { type: "string" },
  usages: { type: "string", multiple: true },
  duration: { type: "string" },
  "allow-privileged": { type: "boolean" },
  out: { type: "string", short: "o" },
  now: { type: "string" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("sign", argv, options, true);
  if (positionals.length !== 1) throw inputError("sign: give one FILE (a PEM request or a CertificateSigningRequest)");
  const file = positionals[0];
  const now = parseNow(values.now) ?? new Date();
  const signer = values.signer !== undefined ? parseSignerFlag(values.signer) : undefined;
  const signingDurationMs = values.duration !== undefined ? parseDuration(values.duration, "--duration") : DEFAULT_SIGNING_DURATION_MS;
  if (signingDurationMs <= 0) throw inputError(`--duration: must be positive, got "${values.duration}"`);
  const input = readCSRFile(await readText(file), file);
  const ca = await loadSigningCA(values["cert-dir"] ?? "/etc/kubernetes/pki");

  // Everything is checked before anything is signed or written.
  const requests = input.items.map((item) => {
    const req = requestFrom(item, file, { signer, usages: commaList(values.usages) });
    const at = item.source === "object" ? `${file}: CertificateSigningRequest ${item.name}` : file;
    const { violations, warnings } = assessRequest(req);
    if (violations.length) throw inputError(`${at}: refused: ${violations.join("; ")}`, "see 'kubepki csr review' for the whole picture");
    const privileged = warnings.filter((w) => w.level === "privileged");
    if (privileged.length && !values["allow-privileged"]) {
      throw inputError(`${at}: refused: ${privileged.map((w) => w.message).join("; ")}`, "pass --allow-privileged if this is really meant");
    }
    if (item.certificate) throw inputError(`${at}: already signed (status.certificate is set, and immutable)`);
    const denied = item.conditions.find((c) => c.type === "Denied" && c.status === "True");
    if (denied) throw inputError(`${at}: was denied${denied.message ? `: ${denied.message}` : ""}; a denied request cannot be approved`);
    return { item, req };
  });
  const signed: SignedCertificate[] = requests.map(({ req }) => signRequest(req, ca, { now, signingDurationMs }));

  let output: string;
  if (input.format === "pem") {
    output = certificateToPEM(signed[0].der);
  } else {
    const objects = requests.map(({ item }, i) => withIssuedCertificate(item, certificateToPEM(signed[i].der), now));
    const doc = input.list ? { ...input.list, items: objects } : objects.length === 1 ? objects[0] : { apiVersion: "v1", kind: "List", items: objects };
    output = serializeObject(doc, input.format === "json" ? "json" : "yaml");
  }

  // A summary never mixes with the certificate on stdout.
  const log = values.out ? process.stdout : process.stderr;
  for (const [i, s] of signed.entries()) {
    const c = s.certificate;
    const { req } = requests[i];
    const origin = req.expirationSeconds !== undefined ? `expirationSeconds ${req.expirationSeconds}, signing duration ${formatGoDuration(signingDurationMs)}` : `signing duration ${formatGoDuration(signingDurationMs)}`;
    log.write(
      `signed ${c.subject.text || "(empty subject)"} for ${req.signerName}: ${c.extKeyUsage.join(", ")}; ` +
        `valid ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()} (${origin}${s.cappedByCA ? ", cut to the CA's expiry" : ""}); serial ${c.serial}; by ${ca.cert.subject.text}\n`,
    );
  }
  if (values.out) {
    const backup = await replaceFile(resolve(values.out), output, PUBLIC_MODE, now);
    log.write(`wrote ${values.out}${backup ? ` (the previous file was copied to ${backup})` : ""}\n`);
  } else {
    process.stdout.write(output);
  }
  return 0;
}
