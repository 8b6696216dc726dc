import { DEFAULTS } from "../cluster/description.js";
import { parseDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { inspect } from "../inspect/index.js";
import { buildReport, certificateReport, endpointReport, keyReport, requestReport } from "../inspect/report.js";
import { renderCertificate, renderEndpoint, renderKey, renderRequest, shortRow } from "../inspect/render-text.js";
import { parseCertificate } from "../pki/model.js";
import { decodeCertificates } from "../pki/pem.js";
import { verifyCertificate } from "../pki/verify.js";
import { renderVerify, type Verified } from "../report/verify.js";
import type { InspectResult } from "../inspect/index.js";
import { outputFormat, parseFlags, parseNow } from "./args.js";
import { inputName, readInputBytes } from "./input.js";
import { printData, stdoutStyle, writeStdout } from "./output.js";
import { styleFor, table } from "../style.js";
import { terminalSafe } from "../text.js";

export const help = `Usage: kubepki inspect [flags] INPUT...

See any certificate the way Kubernetes sees it. Each INPUT is detected by what
it holds: a PEM or DER certificate, bundle or chain; a PEM CSR; a private key
(type and size, and which certificate beside it matches: never the key
itself); a kubeconfig (every cluster CA and user client certificate); a Secret
or CertificateSigningRequest in YAML or JSON, single or a List; a static pod
manifest (every certificate, key and CA flag followed to its file); a directory
(everything under it); "-" for stdin; or host:port, a live TLS endpoint (the
chain it sends, whether it verifies and is valid for the name used).

For each certificate: kind, subject, issuer, serial, validity and time left,
key, signature, SANs, usages, CA constraints, key IDs, SHA-256 fingerprint;
then what it means to Kubernetes: the user and groups a client certificate
authenticates as, the names a serving certificate is valid for and the usual
ones it lacks, the kubeadm or hard-way catalog entry it looks like; warnings.

A bad input prints one error line naming it (exit 2); the others are still shown.

Inputs:
  --kubeconfig FILE      a kubeconfig to inspect (like kubectl's flag)
  --context NAME         only this context's cluster CA and user

Endpoints (host:port):
  --servername NAME      SNI and the name the certificate must be valid for (default: the host)
  --ca FILE              verify against this CA bundle (repeatable; default: Node's trust store);
                         certificates in files are verified against it too, as 'kubepki verify' does
                         (the other certificates of the same file serve as intermediates), and a
                         certificate that does not verify makes the exit status 1
  --cert FILE, --key FILE  offer this client certificate
  --timeout DURATION     give up on a silent endpoint after this long (default 5s)

Output:
  (default)              a readable view per certificate, request, key and endpoint
  --short                one line per item
  --text                 certificates as \`openssl x509 -text -noout\` prints them
  -o, --output json|yaml the stable schema in docs/inspect.md

Judging:
  --now TIME             judge validity at this RFC 3339 time instead of the clock
  --service-cidr CIDR    the service subnet whose first IP apiserver certificates need (default ${DEFAULTS.serviceSubnet})
  --service-dns-domain D the cluster domain (default ${DEFAULTS.dnsDomain})

Examples:
  # One certificate, as Kubernetes reads it
  kubepki inspect /etc/kubernetes/pki/apiserver.crt

  # Every certificate and key of a control-plane node, one line each
  kubepki inspect --short /etc/kubernetes/pki

  # The credentials of a kubeconfig, and who they make you
  kubepki inspect --kubeconfig ~/.kube/config --context kubernetes-admin@kubernetes

  # Follow the API server's flags to the files it actually uses
  kubepki inspect /etc/kubernetes/manifests/kube-apiserver.yaml

  # A TLS Secret, straight from the cluster
  kubectl get secret -n ingress web-tls -o yaml | kubepki inspect -

  # What the API server sends, checked against the cluster CA
  kubepki inspect --ca /etc/kubernetes/pki/ca.crt --servername kubernetes.default.svc 10.0.0.10:6443

  # The kubelet's serving certificate (is its IP in the SANs?)
  kubepki inspect node1:10250 --ca /etc/kubernetes/pki/ca.crt

  # openssl's layout, or JSON for scripts
  kubepki inspect --text apiserver.crt
  kubepki inspect -o json /etc/kubernetes/pki | jq '.certificates[] | {file: .source.file, secondsLeft}'
`;

const options = {
  kubeconfig: { type: "string" },
  context: { type: "string" },
  servername: { type: "string" },
  ca: { type: "string", multiple: true },
  cert: { type: "string" },
  key: { type: "string" },
  timeout: { type: "string" },
  short: { type: "boolean" },
  text: { type: "boolean" },
  output: { type: "string", short: "o" },
  now: { type: "string" },
  "service-cidr": { type: "string" },
  "service-dns-domain": { type: "string" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags("inspect", argv, options, true);
  const format = outputFormat(v.output, "inspect");
  if ([v.short, v.text, format !== "text"].filter(Boolean).length > 1) throw inputError("inspect: --short, --text and -o are alternatives: pick one");
  let inputs = positionals;
  if (inputs.length === 0 && !v.kubeconfig) {
    // kubectl's rule: with only --context, the kubeconfig is $KUBECONFIG (first path) or ~/.kube/config.
    if (v.context) inputs = [process.env.KUBECONFIG?.split(":")[0] || `${process.env.HOME}/.kube/config`];
    else throw inputError("inspect: nothing to inspect", "give a file, a directory, '-' for stdin, host:port, or --kubeconfig FILE");
  }
  const now = parseNow(v.now) ?? new Date();
  const timeoutMs = v.timeout ? parseDuration(v.timeout, "--timeout") : 5000;
  if (timeoutMs <= 0) throw inputError("--timeout: must be positive");
  const result = await inspect(inputs, {
    kubeconfig: v.kubeconfig, context: v.context, servername: v.servername, ca: v.ca, cert: v.cert, key: v.key, timeoutMs,
  });
  const verified = v.ca?.length ? verifyFiles(result, v.ca, now) : [];
  const view = { now, serviceCidr: v["service-cidr"] ?? DEFAULTS.serviceSubnet, dnsDomain: v["service-dns-domain"] ?? DEFAULTS.dnsDomain, soonMs: 30 * 86_400_000 };
  const s = stdoutStyle();
  let out = "";
  if (format !== "text") {
    const report = buildReport(result, view);
    await printData(format, verified.length ? { ...report, verification: verified.map(({ file, result: r }) => ({ file, valid: r.valid, reason: r.problem?.reason ?? null, message: r.problem?.message ?? null, chain: r.chain.map((c) => c.subject.text) })) } : report);
  } else if (v.text) {
    const { renderOpensslText } = await import("../inspect/render-openssl.js");
    for (const item of result.items) if (item.type === "certificate") out += renderOpensslText(item.facts);
  } else if (v.short) {
    const rows = result.items.map((item) => {
      if (item.type === "certificate") return shortRow(certificateReport(item, view), item.type, s);
      if (item.type === "request") return shortRow(requestReport(item), item.type, s);
      if (item.type === "key") return shortRow(keyReport(item), item.type, s);
      return shortRow(endpointReport(item), item.type, s);
    });
    if (rows.length) out = table(rows) + "\n";
  } else {
    out = result.items
      .map((item) => {
        if (item.type === "certificate") return renderCertificate(certificateReport(item, view), s);
        if (item.type === "request") return renderRequest(requestReport(item), s);
        if (item.type === "key") return renderKey(keyReport(item), s);
        return renderEndpoint(endpointReport(item), s);
      })
      .join("\n");
  }
  if (format === "text" && verified.length) out += `\nVerified against ${v.ca!.map(inputName).join(", ")}:\n${renderVerify(verified, s)}`;
  writeStdout(out);
  for (const f of result.failures) {
    const errors = styleFor(process.stderr);
    const message = f.message.includes(f.input) ? f.message : `${f.input}: ${f.message}`;
    process.stderr.write(`${errors.red("error:")} ${terminalSafe(message.split("\n")[0])}\n`);
  }
  return result.failures.length > 0 ? 2 : verified.some((r) => !r.result.valid) ? 1 : 0;
}

/** --ca for certificates read from files (endpoints verify their own chain): the verify command's verdict for each. */
function verifyFiles(result: InspectResult, caFiles: string[], now: Date): Verified[] {
  const roots = caFiles.flatMap((f) => decodeCertificates(readInputBytes(f, inputName(f)).toString("latin1"), inputName(f)).map((der) => parseCertificate(der, inputName(f))));
  const certs = result.items.flatMap((item) => (item.type === "certificate" && item.source.where !== "chain" ? [item] : []));
  return certs.map((item) => {
    const cert = parseCertificate(item.facts.der, item.source.file ?? item.source.input);
    const siblings = certs.filter((o) => o !== item && o.source.file === item.source.file && o.source.input === item.source.input).map((o) => parseCertificate(o.facts.der, o.source.input));
    const label = `${item.source.file ?? inputName(item.source.input)}${item.source.where ? ` ${item.source.where}` : ""}${item.source.index !== undefined ? `[${item.source.index}]` : ""}`;
    return { file: label, result: verifyCertificate(cert, { roots, intermediates: siblings, now, purpose: "any" }) };
  });
}
