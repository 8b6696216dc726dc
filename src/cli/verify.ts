import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import * as kubeadm from "../catalog/kubeadm.js";
import type { CertSpec } from "../catalog/types.js";
import { parseDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { parseCertificate, type CertificateModel } from "../pki/model.js";
import { decodeCertificates } from "../pki/pem.js";
import { verifyCertificate, type Purpose } from "../pki/verify.js";
import { renderVerify, verifyData } from "../report/verify.js";
import { closest, outputFormat, parseFlags, parseNow } from "./args.js";
import { inputName, readInputBytes } from "./input.js";
import { printData, stdoutStyle, writeStdout } from "./output.js";

export const help = `Usage: kubepki verify CERT… [--ca FILE] [--untrusted FILE]… [--purpose server|client|any] [--name HOST_OR_IP]
                      [--expires-within DURATION] [--now TIME] [-o text|json|yaml]

Verifies certificates the way Kubernetes components do — they are Go programs,
so this follows Go's crypto/x509 Verify: a chain by signature (not by name
alone) through the --untrusted intermediates to a --ca root; every certificate
in it valid now; CA:TRUE on intermediates, keyCertSign on any CA that lists key
usages, path length limits; extended key usage nested down the chain (a CA
listing EKUs limits what it signs); and with --name, the leaf's DNS or IP SANs
(never the CN, as Go since 1.15). It answers 'openssl verify -CAfile
-untrusted -purpose' and 'openssl x509 -checkend' for scripts.

Each CERT is a PEM or DER file, or "-" for standard input; its first
certificate is the one verified, any others in the file serve as intermediates
(a chain as a server sends it). A kubeadm certificate may be named instead of
a file — apiserver, etcd-server or etcd/server, front-proxy-client.crt… — and
is then read from --cert-dir. Without --ca, a certificate of a kubeadm tree is
verified against its own CA in that tree (etcd/server.crt against
etcd/ca.crt), as kubeadm's catalog says. Name constraints are not evaluated
(said when present).

Exit status: 0 every CERT is valid; 1 one is not (the reason is printed);
2 bad input.

Flags:
  --ca FILE              trusted roots (PEM bundle; repeatable; default: the kubeadm
                         catalog's CA for a certificate in a kubeadm tree)
  --cert-dir DIR         where named kubeadm certificates are (default /etc/kubernetes/pki)
  --untrusted FILE       intermediates to build the chain with (repeatable)
  --purpose P            server (what a client checks of a server), client (what a
                         server checks of a client) or any (default: any)
  --name HOST_OR_IP      the name the certificate must be valid for (the server's address)
  --expires-within D     also fail when the certificate expires within D (24h, 720h…)
  --now TIME             verify at this RFC 3339 time instead of the clock
  -o, --output FMT       text (default), json or yaml

Examples:
  # Is the API server certificate good for the name clients use? (its CA: the catalog's, pki/ca.crt)
  kubepki verify apiserver --purpose server --name 10.0.0.10

  # A chain file, as a server sends it, against a root
  kubepki verify chain.pem --ca root.crt --purpose server --name api.example.com

  # In a script: still valid in 30 days?
  kubepki verify /etc/kubernetes/pki/apiserver-etcd-client.crt --ca /etc/kubernetes/pki/etcd/ca.crt --expires-within 720h || echo renew
`;

const options = {
  ca: { type: "string", multiple: true },
  "cert-dir": { type: "string" },
  untrusted: { type: "string", multiple: true },
  purpose: { type: "string" },
  name: { type: "string" },
  "expires-within": { type: "string" },
  now: { type: "string" },
  output: { type: "string", short: "o" },
} as const;

/** Every certificate in a PEM or DER file. */
function readCertificates(file: string): CertificateModel[] {
  const name = inputName(file);
  const bytes = readInputBytes(file, name);
  const text = bytes.toString("latin1");
  const ders = text.includes("-----BEGIN") ? decodeCertificates(text, name) : [bytes];
  if (ders.length === 0) throw inputError(`${name}: no certificate found`);
  return ders.map((der, i) => parseCertificate(der, ders.length > 1 ? `${name}[${i}]` : name));
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("verify", argv, options, true);
  if (positionals.length === 0) throw inputError("verify: give at least one CERT file (- for standard input)", "see 'kubepki verify --help'");
  const format = outputFormat(values.output, "verify");
  const purpose = (values.purpose ?? "any") as Purpose;
  if (!["server", "client", "any"].includes(purpose)) throw inputError(`verify: --purpose: "${values.purpose}" is not server, client or any`);
  const expiresWithinMs = values["expires-within"] !== undefined ? parseDuration(values["expires-within"], "--expires-within") : undefined;
  const now = parseNow(values.now) ?? new Date();
  const certDir = values["cert-dir"] ?? "/etc/kubernetes/pki";
  const files = positionals.map((p) => catalogFile(p, certDir));
  const caFiles = values.ca?.length
    ? values.ca
    : files.map((f) => {
        const ca = catalogCAFile(f);
        if (!ca) throw inputError(`verify: ${inputName(f)}: --ca FILE is needed`, "kubepki knows the CA only of kubeadm's certificates in their tree (e.g. /etc/kubernetes/pki/ca.crt)");
        return ca;
      });
  const untrusted = (values.untrusted ?? []).flatMap(readCertificates);
  const results = files.map((file, i) => {
    const roots = (values.ca?.length ? caFiles : [caFiles[i]]).flatMap(readCertificates);
    const [leaf, ...rest] = readCertificates(file);
    return { file: inputName(file), result: verifyCertificate(leaf, { roots, intermediates: [...rest, ...untrusted], now, purpose, name: values.name, expiresWithinMs }) };
  });
  if (format !== "text") await printData(format, verifyData(results, { now, purpose, name: values.name }));
  else writeStdout(renderVerify(results, stdoutStyle()));
  return results.every((r) => r.result.valid) ? 0 : 1;
}


// kubeadm's certificates, by catalog name and file stem (apiserver, etcd-server = etcd/server).
const KUBEADM: CertSpec[] = [kubeadm.ca, kubeadm.apiserver, kubeadm.apiserverKubeletClient, kubeadm.frontProxyCA, kubeadm.frontProxyClient, kubeadm.etcdCA, kubeadm.etcdServer, kubeadm.etcdPeer, kubeadm.etcdHealthcheckClient, kubeadm.apiserverEtcdClient];
const stemOf = (spec: CertSpec) => (typeof spec.baseName === "string" ? spec.baseName : undefined);

/** A CERT argument: a file as given, or a kubeadm certificate named with or without .crt, under --cert-dir. */
function catalogFile(arg: string, certDir: string): string {
  if (arg === "-" || existsSync(arg)) return arg;
  const name = arg.replace(/\.crt$/, "");
  const spec = KUBEADM.find((s) => s.name === name || stemOf(s) === name);
  if (spec && stemOf(spec)) return join(certDir, `${stemOf(spec)}.crt`);
  if (!/[/.]/.test(arg)) {
    const guess = closest(name, KUBEADM.map((s) => s.name));
    throw inputError(`verify: ${arg}: no such file, nor a kubeadm certificate name`, guess ? `did you mean ${guess}?` : `kubeadm's names: ${KUBEADM.map((s) => s.name).join(", ")}`);
  }
  return arg;
}

/** The CA file of a kubeadm leaf in its tree: pki/etcd/server.crt → pki/etcd/ca.crt. */
function catalogCAFile(file: string): string | undefined {
  if (file === "-") return undefined;
  const path = resolve(file);
  for (const spec of KUBEADM) {
    const stem = stemOf(spec);
    const caStem = stemOf(KUBEADM.find((c) => c.name === spec.ca) ?? spec);
    if (!stem || !caStem || !path.endsWith(`/${stem}.crt`)) continue;
    // A CA is its own root: verifying it checks its validity and constraints.
    if (!spec.ca) return path;
    return join(path.slice(0, -`${stem}.crt`.length), `${caStem}.crt`);
  }
  return undefined;
}
