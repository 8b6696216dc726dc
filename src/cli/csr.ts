import { parseDuration } from "../cluster/duration.js";
import { inputError } from "../errors.js";
import { readCSRFile } from "../kube/csr.js";
import { reviewData, renderReview } from "../report/csr-review.js";
import { reviewRequest } from "../signer/review.js";
import { parseSignerFlag, requestFrom } from "../signer/request.js";
import { subcommandError, commaList, outputFormat, parseFlags } from "./args.js";
import { printData } from "./output.js";
import { inputName, readInput } from "./input.js";
import { styleFor } from "../style.js";

export const help = `Usage: kubepki csr review FILE [--signer NAME] [--usages LIST] [--duration D] [-o text|json|yaml]

Shows what approving a certificate request would grant, before anyone runs
'kubectl certificate approve': the Kubernetes user (CN) and groups (O), the
usages, SANs, key and lifetime, and the signer. It verifies the request's own
signature (proof that the requester holds the key), checks the rules the
chosen built-in signer enforces, and warns loudly about privilege:
system:masters, kubeadm:cluster-admins, node identities asked through a
non-kubelet signer, control-plane component names, service-account names and
CA requests.

FILE is a PEM request (what openssl req -new writes), a CertificateSigningRequest
(YAML or JSON), or a List of them (kubectl get csr -o yaml); "-" reads standard
input. The "grants" line is what the certificate would really carry. It also
warns about an RSA key under 2048 bits, and about SANs or server auth asked
of a client-only signer (the names would do nothing in a client certificate).

Exit status: 0 nothing to worry about; 1 the signer would refuse it, it is
privileged or a warning stands (so scripts can gate approval on it); 2 the
file is not a request.

Flags:
  --signer NAME      for a PEM request: kube-apiserver-client (default),
                     kube-apiserver-client-kubelet, kubelet-serving or local
  --usages LIST      for a PEM request: usages to assume (default: what that signer's clients send)
  --duration D       the signer's --cluster-signing-duration, to compute the lifetime (default 8760h)
  -o, --output FMT   text (default), json or yaml

Examples:
  # Before approving what a user applied
  kubectl get csr jane -o yaml | kubepki csr review -

  # A request made with openssl, as the study note does
  openssl req -new -key jane.key -subj "/CN=jane/O=dev" -out jane.csr
  kubepki csr review jane.csr

  # Gate an approval in a script
  kubepki csr review jane-csr.yaml -o json >/dev/null && kubectl certificate approve jane
`;

const options = {
  signer: { type: "string" },
  usages: { type: "string", multiple: true },
  duration: { type: "string" },
  output: { type: "string", short: "o" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "review") throw subcommandError("csr", sub, ["review"], "use 'kubepki csr review FILE'");
  const { values, positionals } = parseFlags("csr review", rest, options, true);
  if (positionals.length !== 1) throw inputError("csr review: give one FILE");
  const format = outputFormat(values.output, "csr review");
  const file = positionals[0];
  const signer = values.signer !== undefined ? parseSignerFlag(values.signer) : undefined;
  const signingDurationMs = values.duration !== undefined ? parseDuration(values.duration, "--duration") : undefined;
  if (signingDurationMs !== undefined && signingDurationMs <= 0) throw inputError(`--duration: must be positive, got "${values.duration}"`);
  const name = inputName(file);
  const input = readCSRFile(readInput(file, name), name);
  const items = input.items.map((item) => reviewRequest(item, requestFrom(item, name, { signer, usages: commaList(values.usages) }), { signingDurationMs }));
  if (format === "text") process.stdout.write(renderReview(name, items, styleFor(process.stdout)) + "\n");
  else {
    const data = reviewData(name, items);
    await printData(format, data);
  }
  return items.every((i) => i.verdict === "ok") ? 0 : 1;
}
