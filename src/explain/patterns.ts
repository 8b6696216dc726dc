/**
 * Every certificate error kubepki recognises, as data: one entry per known
 * message, in evaluation order (most specific first), after the reference
 * table in troubleshooting.md (Appendix A). The ids are stable: scripts and
 * `-o json` consumers match on them. `ref` is the reference's row id.
 *
 * Patterns are unanchored and run on an unwrapped line (see unwrap.ts): klog
 * and JSON escaping removed, so `"` is a plain quote.
 */

/**
 * What the line says about whose certificate failed, before the link and the
 * logger's role are known (side.ts turns it into a sentence):
 * - `peer-certificate`: this side verified the other side's certificate and refused it;
 * - `own-certificate`: the other side refused this side's certificate ("remote error: tls: …");
 * - `client-certificate`: a server refused a client certificate, whoever logged it;
 * - `local-files`: this side's own files are broken (key pair, PEM, kubeconfig);
 * - `credentials`: the server answered 401: the client's certificate or token was not accepted;
 * - `authorization`: authentication worked, the identity in the certificate is not allowed;
 * - `token`: a service-account token, not a certificate;
 * - `none`: a router, or a message that does not tell.
 */
export type FaultKind = "peer-certificate" | "own-certificate" | "client-certificate" | "local-files" | "credentials" | "authorization" | "token" | "none";

/**
 * - `diagnosis`: says what is wrong; the first diagnosis that matches is the entry's primary.
 * - `router`: an outer layer that only says where the real error came from (G1, G4, C5); it
 *   adds context, and is the primary only when no diagnosis matches and it is certificate-related.
 * - `aid`: identifies the certificate (A2: serial, SKID, AKID) without saying what is wrong.
 */
export type PatternRole = "diagnosis" | "router" | "aid";

export interface Pattern {
  /** Stable id, kebab-case. */
  id: string;
  /** Row in troubleshooting.md (T1, E2…); absent for kubepki's own additions. */
  ref?: string;
  role: PatternRole;
  regex: RegExp;
  title: string;
  /** Who prints it. */
  emittedBy: string;
  /** What it means, in plain words. */
  meaning: string;
  /** Likely causes, most likely first. */
  causes: string[];
  /** Commands and places to look. */
  checks: string[];
  fix: string[];
  fault: FaultKind;
  /** A: source and a real report agree; B: report thin; C: source only. */
  confidence: "A" | "B" | "C";
  /**
   * The regex as troubleshooting.md (Appendix A) writes it, when `regex` is a
   * rewrite of it that matches the same lines in time linear in their length
   * (see LINEAR below); test/hardening-explain.test.ts holds them to agreeing.
   */
  reference?: string;
  /** A router or a low-specificity line that is not about certificates unless its core is (C5 "dial tcp…"). */
  needsCore?: boolean;
}

/**
 * LINEAR. Patterns run on every line of a log an attacker may write to (a pod's
 * output, a request's user agent), so each must match in time linear in the
 * line (lines are cut at MAX_LINE_LENGTH, unwrap.ts). Two shapes are not:
 * `A.*B` retried from every one of a thousand As (quadratic), and gaps that can
 * split the same text many ways (`\S+.*`, `.*X.*Y`: cubic, minutes on 16 KB).
 * The rewrites, which match exactly the lines the reference forms match:
 * - `^(?:(?!A).)*A…` tries only the first A: if B follows any A, it follows the first;
 * - `(?=(.*?X))\1` is an atomic "up to the first X": it is never retried at a later X;
 * - `(?<!\S)(\S+) …` starts a word only at its beginning;
 * - `\S+.*` is `\S.*`, one way to split.
 * Only what a match spans changes (it may start at the line's beginning),
 * which is only used to tell problems apart.
 */

const KUBECTL_CA = "kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d | openssl x509 -noout -subject -fingerprint -sha256";
const RESTART_STATIC_PODS =
  "restart the static pods that read the files: move each manifest out of /etc/kubernetes/manifests, wait 20 s, move it back (or crictl stop the container)";

export const PATTERNS: Pattern[] = [
  // ── ServiceAccount tokens ────────────────────────────────────────────────
  {
    id: "sa-token-signature-invalid", ref: "S1", role: "diagnosis",
    regex: /invalid bearer token, (?:square|go-jose)\/go-jose: error in cryptographic primitive|Unable to authenticate the request due to an error: crypto\/rsa: verification error/,
    title: "a service-account token's signature does not verify with the API server's public keys",
    emittedBy: "kube-apiserver (and the kubelet through token review)",
    meaning: "The token was signed with a private key whose public half is not in kube-apiserver --service-account-key-file. This is about sa.key/sa.pub, not about TLS certificates.",
    causes: [
      "sa.key (controller-manager --service-account-private-key-file, apiserver --service-account-signing-key-file) and sa.pub (apiserver --service-account-key-file) are not a pair",
      "HA: the control-plane nodes hold different sa.key/sa.pub, so requests fail only on some API servers",
      "tokens, often old Secret-based ones, were minted with a previous key or another cluster",
    ],
    checks: [
      "sha256sum /etc/kubernetes/pki/sa.key /etc/kubernetes/pki/sa.pub on every control-plane node",
      "openssl pkey -in /etc/kubernetes/pki/sa.key -pubout | diff - /etc/kubernetes/pki/sa.pub",
      "the --service-account-* flags in kube-apiserver.yaml and kube-controller-manager.yaml",
    ],
    fix: [
      "copy one identical sa.key/sa.pub to every control-plane node, then restart kube-apiserver and kube-controller-manager",
      "delete stale token Secrets or restart the pods so they get new tokens; during a key rotation keep the old public key in --service-account-key-file too",
    ],
    fault: "token", confidence: "A",
  },
  {
    id: "sa-token-no-key", ref: "S2", role: "diagnosis",
    regex: /invalid signature, no keys found/,
    title: "a service-account token's key id matches none of the API server's public keys",
    emittedBy: "kube-apiserver JWT authenticator",
    meaning: "The token names a signing key (kid) that kube-apiserver --service-account-key-file does not contain.",
    causes: ["sa.key and sa.pub are not a pair", "control-plane nodes hold different service-account keys"],
    checks: ["sha256sum /etc/kubernetes/pki/sa.key /etc/kubernetes/pki/sa.pub on every control-plane node"],
    fix: ["give every control-plane node the same sa.key/sa.pub and restart kube-apiserver and kube-controller-manager"],
    fault: "token", confidence: "C",
  },
  {
    id: "sa-token-invalidated", ref: "S3", role: "diagnosis",
    regex: /service account token has been invalidated|service account (\S+) has been deleted|service account UID \((\S+)\) does not match claim|^(?:(?!token audiences ").)*token audiences "(.*?)" is invalid for the target audiences "(.*)"|validation failed, token is expired \(exp\)/,
    reference: String.raw`service account token has been invalidated|service account (\S+) has been deleted|service account UID \((\S+)\) does not match claim|token audiences "(.*)" is invalid for the target audiences "(.*)"|validation failed, token is expired \(exp\)`,
    title: "a service-account token is no longer valid (not a key problem)",
    emittedBy: "kube-apiserver ServiceAccount token validator",
    meaning: "The token's signature is fine, but what it is bound to is gone, its audience is wrong, or it has expired.",
    causes: [
      "the pod, Secret or ServiceAccount it was bound to was deleted or recreated",
      "the token's audience does not match the API server's --api-audiences",
      "the client does not reload its projected token, which expired",
    ],
    checks: ["decode the token's payload (the middle part, base64url) and read aud, exp and the kubernetes.io claims"],
    fix: ["restart the pod so it gets a fresh token, or fix the audience"],
    fault: "token", confidence: "C",
  },

  // ── Aggregation, front-proxy, authentication ────────────────────────────
  {
    id: "front-proxy-cn-not-allowed", ref: "W4", role: "diagnosis",
    regex: /x509: subject with cn=(\S*) is not in the allowed list/,
    title: "the front-proxy client certificate's CN is not in --requestheader-allowed-names",
    emittedBy: "an extension API server (metrics-server, custom API servers) authenticating kube-apiserver's proxied request",
    meaning: "kube-apiserver proxied a request with its front-proxy client certificate, but that certificate's CN is not one the extension API server accepts.",
    causes: ["front-proxy-client.crt was issued with another CN than the one in --requestheader-allowed-names (kubeadm: front-proxy-client)"],
    checks: [
      "openssl x509 -noout -subject -in /etc/kubernetes/pki/front-proxy-client.crt",
      "kubectl -n kube-system get cm extension-apiserver-authentication -o yaml (requestheader-allowed-names)",
    ],
    fix: ["reissue front-proxy-client with an allowed CN, or add its CN to --requestheader-allowed-names; restart kube-apiserver, then the extension API server pods"],
    fault: "client-certificate", confidence: "B",
  },
  {
    id: "front-proxy-ca-mismatch", ref: "W3", role: "diagnosis",
    regex: /^(?:(?!Unable to authenticate the request).)*Unable to authenticate the request.*candidate authority certificate "(front-proxy-ca|kube-apiserver-requestheader-ca)"/,
    reference: String.raw`Unable to authenticate the request.*candidate authority certificate "(front-proxy-ca|kube-apiserver-requestheader-ca)"`,
    title: "the front-proxy client certificate is not signed by the requestheader CA the extension API server trusts",
    emittedBy: "an extension API server (metrics-server, webhooks built on k8s.io/apiserver)",
    meaning: "kube-apiserver's --proxy-client-cert-file (front-proxy-client.crt) was not signed by the CA published as requestheader-client-ca-file (front-proxy-ca.crt). A CA with the right name exists, but its key is a different one.",
    causes: [
      "HA: each control-plane node has its own front-proxy-ca",
      "the front-proxy certificates were regenerated but kube-apiserver was not restarted",
    ],
    checks: [
      "md5sum /etc/kubernetes/pki/front-proxy-ca.crt on every control-plane node",
      "openssl verify -CAfile /etc/kubernetes/pki/front-proxy-ca.crt /etc/kubernetes/pki/front-proxy-client.crt",
      "kubectl -n kube-system get cm extension-apiserver-authentication -o jsonpath='{.data.requestheader-client-ca-file}' | openssl x509 -noout -subject -fingerprint -sha256",
    ],
    fix: ["use one front-proxy CA on every control-plane node, re-sign front-proxy-client with it, restart the kube-apiservers, then the extension API server pods"],
    fault: "client-certificate", confidence: "A",
  },
  {
    id: "client-cert-identified", ref: "A2", role: "aid",
    regex: /verifying certificate SN=(\d+), SKID=([0-9A-F:]*), AKID=([0-9A-F:]*) failed: (.+)/,
    title: "the API server names the client certificate it refused (serial, SKID, AKID)",
    emittedBy: "kube-apiserver x509 authenticator",
    meaning: "An identification aid: SN is the refused client certificate's serial in decimal, AKID is the key id of the CA that issued it.",
    causes: ["see the reason after \"failed:\""],
    checks: [
      "convert SN to hex (printf '%X\\n' SN for small ones, or python3 -c 'print(hex(SN))') and compare with openssl x509 -noout -serial of the candidate certificates",
      "compare AKID with each CA's X509v3 Subject Key Identifier (openssl x509 -noout -text)",
      "kubepki explain --root / does this matching for you",
    ],
    fix: ["renew or reissue that client certificate from the API server's --client-ca-file CA"],
    fault: "client-certificate", confidence: "A",
  },
  {
    id: "client-cert-refused-by-apiserver", ref: "A1", role: "diagnosis",
    regex: /^(?:(?!Unable to authenticate the request).)*Unable to authenticate the request.*(x509: certificate signed by unknown authority|x509: certificate has expired or is not yet valid|x509: certificate specifies an incompatible key usage)/,
    reference: String.raw`Unable to authenticate the request.*(x509: certificate signed by unknown authority|x509: certificate has expired or is not yet valid|x509: certificate specifies an incompatible key usage)`,
    title: "the API server (or kubelet) refused a client certificate",
    emittedBy: "k8s.io/apiserver authentication filter: kube-apiserver, aggregated API servers, the kubelet",
    meaning: "A client presented a certificate that failed against the server's client CA (kube-apiserver --client-ca-file, or the kubelet's clientCAFile). The client gets 401 Unauthorized.",
    causes: [
      "the client certificate comes from a previous cluster or CA (stale /var/lib/kubelet/pki/kubelet-client-*.pem after a reinstall, a kubeconfig from another cluster)",
      "the client certificate has expired: controller-manager.conf, scheduler.conf, admin.conf or the kubelet's",
      "its extended key usage lacks clientAuth",
      "in an extension API server's log this is the front-proxy case (front-proxy-ca-mismatch)",
    ],
    checks: [
      "the SN/SKID/AKID on the same line names the certificate (kubepki explain --root matches it to a file)",
      "kubeadm certs check-expiration, or kubepki check",
      "openssl verify -CAfile /etc/kubernetes/pki/ca.crt <client.crt>",
    ],
    fix: ["renew or reissue the client certificate from the server's client CA; before re-joining a node, remove its stale /var/lib/kubelet/pki"],
    fault: "client-certificate", confidence: "A",
  },

  // ── Webhooks, aggregation, metrics ──────────────────────────────────────
  {
    id: "webhook-unknown-authority", ref: "W1", role: "diagnosis",
    regex: /failed calling (?:admission )?webhook "([^"]+)": .*x509: certificate signed by unknown authority/,
    title: "kube-apiserver does not trust the webhook's serving certificate (caBundle)",
    emittedBy: "kube-apiserver admission webhook dispatcher (kubectl shows it as Internal error)",
    meaning: "The caBundle in the Validating/MutatingWebhookConfiguration is not the CA that signed the certificate the webhook serves.",
    causes: [
      "the webhook's certificate was rotated or regenerated but caBundle was not re-injected (cert-manager cainjector not running, chart redeployed)",
      "caBundle was never filled in",
      "the webhook pod still serves an old certificate",
    ],
    checks: [
      "kubectl get validatingwebhookconfiguration <name> -o jsonpath='{.webhooks[0].clientConfig.caBundle}' | base64 -d | openssl x509 -noout -subject -fingerprint -sha256, against the CA in the webhook's TLS Secret",
      "the webhook pod's log: http: TLS handshake error … remote error: tls: bad certificate",
    ],
    fix: ["re-inject caBundle (restart the cainjector or operator, or patch it), then restart the webhook pod; if its CA and TLS Secrets disagree, recreate them"],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "webhook-name-mismatch", ref: "W2", role: "diagnosis",
    regex: /failed calling (?:admission )?webhook "([^"]+)": .*x509: (certificate is valid for .+, not \S+|certificate is not valid for any names, but wanted to match \S+|certificate relies on legacy Common Name field.*|cannot validate certificate for \S+ because it doesn't contain any IP SANs)/,
    title: "the webhook's serving certificate does not carry the name kube-apiserver dials",
    emittedBy: "kube-apiserver admission webhook dispatcher",
    meaning: "kube-apiserver dials <service>.<namespace>.svc (or the host in clientConfig.url), and the webhook's certificate has no SAN for exactly that name.",
    causes: [
      "the service or namespace was renamed, or a Helm release prefix differs from the name in the certificate",
      "the certificate has only a CN and no SAN",
    ],
    checks: ["openssl x509 -noout -ext subjectAltName -in tls.crt (from the webhook's Secret), against the host in the message"],
    fix: ["reissue the webhook certificate with DNS:<service>.<namespace>.svc (and .svc.cluster.local), and keep the service and namespace names consistent with it"],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "apiservice-unavailable", ref: "W5", role: "diagnosis",
    regex: /(?<!\S)(\S+) failed with: failing or missing response from (\S+): (.+)/,
    reference: String.raw`(\S+) failed with: failing or missing response from (\S+): (.+)`,
    title: "an aggregated API (APIService) fails its discovery check",
    emittedBy: "kube-apiserver's aggregator availability controller",
    meaning: "kube-apiserver could not get an answer from an extension API server. The reason after the URL decides: 401 is front-proxy authentication, x509 is trust in the extension's serving certificate; a timeout is the network.",
    causes: [
      "bad status … 401: the extension API server refused kube-apiserver's front-proxy client certificate (front-proxy-ca-mismatch, front-proxy-cn-not-allowed)",
      "x509: …: kube-apiserver does not trust the extension's serving certificate (APIService caBundle)",
      "403: the proxied identity is not authorized",
    ],
    checks: ["kubectl describe apiservice <name>", "the extension API server's log"],
    fix: ["as for front-proxy-ca-mismatch / front-proxy-cn-not-allowed; for x509 errors fix the APIService caBundle"],
    fault: "none", confidence: "B",
  },
  {
    id: "metrics-server-kubelet", ref: "W6", role: "diagnosis",
    regex: /^(?:(?!Failed to scrape node|unable to fully scrape metrics from \S).)*(?:Failed to scrape node|unable to fully scrape metrics from \S)(?=(.*?:10250\/))\1.*x509: (.+)/,
    reference: String.raw`(?:Failed to scrape node|unable to fully scrape metrics from \S+).*:10250\/.*x509: (.+)`,
    title: "metrics-server cannot verify a kubelet's serving certificate",
    emittedBy: "metrics-server",
    meaning: "metrics-server scrapes each kubelet on :10250 and refuses its serving certificate: by default the kubelet serves a self-signed certificate with only its hostname.",
    causes: [
      "the kubelet certificate has no IP SANs while metrics-server scrapes by InternalIP",
      "the kubelet certificate is self-signed, so it is signed by an unknown authority",
    ],
    checks: ["openssl s_client -connect <node>:10250 </dev/null | openssl x509 -noout -issuer -ext subjectAltName", "kubectl get csr"],
    fix: ["have kubelets get serving certificates from the cluster CA: serverTLSBootstrap: true in the KubeletConfiguration, then approve the kubernetes.io/kubelet-serving CSRs (by hand or with an approver); --kubelet-insecure-tls only hides the problem"],
    fault: "peer-certificate", confidence: "A",
  },

  // ── kubelet ──────────────────────────────────────────────────────────────
  {
    id: "kubelet-client-expired", ref: "L1", role: "diagnosis",
    regex: /part of the existing bootstrap client certificate(?: in (\S+))? is expired: (.+)|unable to load bootstrap kubeconfig: (.+)/,
    title: "the kubelet's client certificate has expired and it cannot bootstrap a new one",
    emittedBy: "kubelet at start-up",
    meaning: "The certificate the kubelet uses to talk to the API server (kubelet.conf, usually /var/lib/kubelet/pki/kubelet-client-current.pem) has expired, and bootstrap-kubelet.conf is gone (kubeadm deletes it after the first bootstrap), so the node stays NotReady.",
    causes: [
      "the node was off longer than the rotation window, or rotation failed",
      "kubelet.conf embeds the certificate instead of pointing at kubelet-client-current.pem (old kubeadm)",
      "the clock jumped forward",
    ],
    checks: [
      "openssl x509 -noout -enddate -in /var/lib/kubelet/pki/kubelet-client-current.pem",
      "grep client-certificate /etc/kubernetes/kubelet.conf",
    ],
    fix: [
      "on a control-plane node: kubeadm init phase kubeconfig kubelet (or kubeadm kubeconfig user --client-name system:node:<node> --org system:nodes), copy the new kubelet.conf to the node, and restart the kubelet; or re-join the node",
      "make kubelet.conf point at /var/lib/kubelet/pki/kubelet-client-current.pem so that rotation works from then on",
    ],
    fault: "local-files", confidence: "A",
  },
  {
    id: "kubelet-no-serving-cert", ref: "L2", role: "diagnosis",
    regex: /no serving certificate available for the kubelet|remote error: tls: internal error/,
    title: "the kubelet has no serving certificate yet (its CSR is Pending)",
    emittedBy: "kubelet (http: TLS handshake error … no serving certificate); clients see remote error: tls: internal error",
    meaning: "serverTLSBootstrap / --rotate-server-certificates is on, so the kubelet waits for a kubernetes.io/kubelet-serving certificate from the CSR API, and nothing has approved it; kubectl logs/exec and metrics-server fail meanwhile.",
    causes: ["kubelet-serving CSRs are never approved automatically: no approver is deployed"],
    checks: ["kubectl get csr (Pending, requestor system:node:<node>)", "ls /var/lib/kubelet/pki/kubelet-server-*"],
    fix: ["check each CSR's SANs, then kubectl certificate approve <csr>; or deploy an approver (kubelet-serving-cert-approver, kubelet-csr-approver)"],
    fault: "none", confidence: "A",
  },
  {
    id: "apiserver-to-kubelet-x509", ref: "L3", role: "diagnosis",
    regex: /(?:Get "?https:\/\/\S+:10250\/\S*"?|error dialing backend): (?:tls: failed to verify certificate: )?x509: (.+)/,
    title: "kube-apiserver refuses a kubelet's serving certificate (kubectl logs/exec/port-forward)",
    emittedBy: "kube-apiserver → kubelet, when --kubelet-certificate-authority is set",
    meaning: "For logs, exec and port-forward kube-apiserver connects to the kubelet on :10250 and verifies its serving certificate with --kubelet-certificate-authority.",
    causes: [
      "the kubelet serves its self-signed /var/lib/kubelet/pki/kubelet.crt, not one signed by that CA (signed by unknown authority)",
      "the kubelet certificate lacks the IP or name kube-apiserver dials (see --kubelet-preferred-address-types)",
    ],
    checks: [
      "openssl s_client -connect <node>:10250 </dev/null | openssl x509 -noout -issuer -ext subjectAltName",
      "kube-apiserver --kubelet-certificate-authority and --kubelet-preferred-address-types",
    ],
    fix: ["issue kubelet serving certificates from the cluster CA with the node's IPs and names: serverTLSBootstrap plus CSR approval, or --tls-cert-file/--tls-private-key-file on the kubelet"],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "kubelet-refused-apiserver-client", ref: "L4", role: "diagnosis",
    regex: /You must be logged in to the server \(the server has asked for the client to provide credentials|unable to upgrade connection: Unauthorized/,
    title: "the kubelet refused kube-apiserver's kubelet-client certificate (kubectl logs/exec 401)",
    emittedBy: "kubectl logs / exec / port-forward; the kubelet answered 401",
    meaning: "kube-apiserver authenticates to the kubelet with --kubelet-client-certificate (apiserver-kubelet-client.crt) and the kubelet did not accept it. The kubelet's own log says why (Unable to authenticate the request …).",
    causes: [
      "apiserver-kubelet-client.crt has expired, or was renewed but kube-apiserver was not restarted",
      "the kubelet's client CA (authentication.x509.clientCAFile) is not the CA that signed it",
      "it lacks clientAuth",
    ],
    checks: [
      "journalctl -u kubelet | grep 'Unable to authenticate'",
      "openssl x509 -noout -issuer -enddate -in /etc/kubernetes/pki/apiserver-kubelet-client.crt",
      "grep -A2 x509 /var/lib/kubelet/config.yaml",
    ],
    fix: ["renew apiserver-kubelet-client and restart kube-apiserver; align the kubelet's clientCAFile with the CA that signs it"],
    fault: "credentials", confidence: "A",
  },
  {
    id: "kubelet-to-apiserver", ref: "L5", role: "diagnosis",
    regex: /^(?:(?!Unable to register node|Failed to list \*v1\.\w).)*(?:Unable to register node|Failed to list \*v1\.\w).*?(Unauthorized|x509: .+)/,
    reference: String.raw`(?:Unable to register node|Failed to list \*v1\.\w+).*?(Unauthorized|x509: .+)`,
    title: "the kubelet cannot talk to kube-apiserver",
    emittedBy: "kubelet (node registration, informers)",
    meaning: "The kubelet's connection to kube-apiserver, configured by /etc/kubernetes/kubelet.conf, fails on certificates.",
    causes: [
      "x509: certificate signed by unknown authority: the CA in kubelet.conf is stale because the cluster CA was replaced",
      "Unauthorized: the kubelet's client certificate has expired, or was issued by the old CA",
    ],
    checks: [
      "openssl verify -CAfile /etc/kubernetes/pki/ca.crt /var/lib/kubelet/pki/kubelet-client-current.pem",
      "the certificate-authority-data in /etc/kubernetes/kubelet.conf",
    ],
    fix: ["re-bootstrap the kubelet against the current CA: a new kubelet.conf or a bootstrap token, then restart the kubelet"],
    fault: "peer-certificate", confidence: "A",
  },

  // ── Authorization (not TLS) ──────────────────────────────────────────────
  {
    id: "node-restriction", ref: "A5", role: "diagnosis",
    regex: /node "([^"]+)" (?:is not allowed to modify|cannot modify) node "([^"]+)"|unknown node for user "system:node:"/,
    title: "the kubelet's certificate names another node than the one it registers",
    emittedBy: "kube-apiserver NodeRestriction admission and Node authorizer",
    meaning: "The kubelet's client certificate says CN=system:node:<A>, and the node object it writes is <B>. The API server lets a kubelet change only its own node.",
    causes: [
      "hostname vs --hostname-override vs the cloud provider's node name",
      "upper-case letters in the CN against a lower-case node name",
      "an empty name, or one certificate shared by several nodes",
    ],
    checks: ["openssl x509 -noout -subject -in /var/lib/kubelet/pki/kubelet-client-current.pem (O = system:nodes, CN = system:node:<node>)", "kubectl get nodes"],
    fix: ["reissue the certificate with the exact node name, or make --hostname-override match; do not disable NodeRestriction"],
    fault: "authorization", confidence: "A",
  },
  {
    id: "rbac-forbidden", ref: "A4", role: "diagnosis",
    regex: /forbidden: User "([^"]*)" cannot (?:(\S+) resource "([^"]*)" in API group "([^"]*)"(?: in the namespace "([^"]*)"| at the cluster scope)|(\S+) path "([^"]*)")|User "([^"]*)" cannot (\S+) (\S+) (?:at the cluster scope|in the namespace "([^"]*)")/,
    title: "authenticated, but the certificate's user or groups are not allowed (RBAC)",
    emittedBy: "kube-apiserver authorizer (kubectl: Error from server (Forbidden))",
    meaning: "The client certificate was accepted: its CN is the user and each O a group. RBAC does not allow that user or groups to do this.",
    causes: [
      "the user is system:anonymous: no usable credential reached the API server (no client certificate in the kubeconfig, or it was not sent)",
      "the certificate's O is not bound: since kubeadm 1.29 admin.conf carries O=kubeadm:cluster-admins, which needs its ClusterRoleBinding; only super-admin.conf has system:masters",
      "a node certificate whose CN is not system:node:<name>",
    ],
    checks: ["openssl x509 -noout -subject -in <cert>", "kubectl auth can-i --list --as=<CN> --as-group=<O>", "kubectl get clusterrolebindings -o wide"],
    fix: ["bind a Role or ClusterRole to the user (CN) or a group (O), or reissue the certificate with the intended O; keep system:masters for break-glass"],
    fault: "authorization", confidence: "A",
  },
  {
    id: "unauthorized", ref: "A3", role: "diagnosis",
    regex: /error: You must be logged in to the server \(Unauthorized\)/,
    title: "kube-apiserver did not accept kubectl's credentials (401)",
    emittedBy: "kubectl",
    meaning: "The API server answered 401. With a client certificate, that means it is expired or not signed by --client-ca-file; the API server's log tells which.",
    causes: [
      "the kubeconfig's client certificate has expired, or comes from another CA (an old cluster)",
      "certificates were renewed but this kubeconfig still embeds the old one",
      "a token (bearer, OIDC, service account) is invalid",
    ],
    checks: [
      "kubectl config view --minify (which user)",
      "kubectl config view --raw --minify -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d | openssl x509 -noout -issuer -enddate",
      "the kube-apiserver log: Unable to authenticate the request … (crictl logs <kube-apiserver container>)",
    ],
    fix: ["copy the renewed /etc/kubernetes/admin.conf to ~/.kube/config, or issue a new user certificate"],
    fault: "credentials", confidence: "A",
  },

  // ── etcd ─────────────────────────────────────────────────────────────────
  {
    id: "grpc-handshake-failed", ref: "D2", role: "diagnosis",
    regex: /transport: authentication handshake failed: (.+)/,
    title: "a gRPC client (kube-apiserver → etcd, etcdctl) failed the TLS handshake",
    emittedBy: "grpc-go; in Kubernetes mostly kube-apiserver → etcd",
    meaning: "The reason after \"handshake failed:\" tells the case: an x509 error means this client refused etcd's certificate; remote error: tls: bad certificate means etcd refused this client's certificate.",
    causes: [
      "x509: certificate has expired: etcd's serving certificate (etcd/server.crt) has expired",
      "x509: certificate is valid for A, not B: etcd/server.crt lacks an --etcd-servers endpoint",
      "x509: certificate signed by unknown authority: kube-apiserver --etcd-cafile is not etcd's CA (etcd/ca.crt)",
      "remote error: tls: bad certificate: etcd refused apiserver-etcd-client.crt (missing --etcd-certfile, expired, or from the wrong CA)",
    ],
    checks: [
      "kube-apiserver's --etcd-cafile, --etcd-certfile, --etcd-keyfile in /etc/kubernetes/manifests/kube-apiserver.yaml",
      "openssl verify -CAfile /etc/kubernetes/pki/etcd/ca.crt /etc/kubernetes/pki/apiserver-etcd-client.crt",
      "etcd's log (rejected connection …)",
    ],
    fix: ["renew the refused side's certificate from etcd's CA (kubeadm certs renew apiserver-etcd-client / etcd-server), then restart the etcd and kube-apiserver static pods"],
    fault: "none", confidence: "A",
  },
  {
    id: "etcd-rejected-connection", ref: "D1", role: "diagnosis",
    regex: /rejected connection(?: from "([^"]+)" \(error "([^"]+)", ServerName "([^"]*)"| on (client|peer) endpoint)?/,
    title: "etcd rejected a TLS connection",
    emittedBy: "etcd (its TLS handshake failure logger)",
    meaning: "Read the error: remote error: tls: bad certificate means the client (kube-apiserver, etcdctl, a peer) refused etcd's certificate; tls: failed to verify client certificate: x509: … means etcd refused the client's certificate.",
    causes: [
      "the client certificate is not from etcd's --trusted-ca-file (kubeadm: etcd/ca.crt, not the cluster ca.crt)",
      "a certificate has expired, or is not yet valid because a clock is off",
      "the client or peer certificate lacks clientAuth",
      "the client does not trust etcd's serving or peer certificate (its CA bundle, a missing SAN)",
    ],
    checks: [
      "openssl verify -CAfile /etc/kubernetes/pki/etcd/ca.crt /etc/kubernetes/pki/apiserver-etcd-client.crt",
      "openssl x509 -noout -enddate -in /etc/kubernetes/pki/etcd/server.crt",
      "etcd's --trusted-ca-file, --peer-trusted-ca-file, --client-cert-auth against kube-apiserver's --etcd-cafile, --etcd-certfile",
    ],
    fix: ["renew or reissue the refused side's certificate from etcd's CA, then restart the etcd and kube-apiserver static pods"],
    fault: "none", confidence: "A",
  },

  // ── kubeadm join ─────────────────────────────────────────────────────────
  {
    id: "join-ca-not-pinned", ref: "T6", role: "diagnosis",
    regex: /cluster CA found in cluster-info [Cc]onfig[Mm]ap is invalid: none of the public keys "(sha256:[0-9a-f]+)" are pinned/,
    title: "kubeadm join: the cluster's CA is not the one --discovery-token-ca-cert-hash pins",
    emittedBy: "kubeadm join",
    meaning: "The CA the API server offers in cluster-info hashes to the value in the message, not to the --discovery-token-ca-cert-hash given to join.",
    causes: ["the hash belongs to another cluster or was computed from the wrong file", "the CA was replaced after the join command was generated"],
    checks: ["openssl x509 -pubkey -in /etc/kubernetes/pki/ca.crt | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex (on the control plane)"],
    fix: ["regenerate the join command: kubeadm token create --print-join-command"],
    fault: "peer-certificate", confidence: "A",
  },

  // ── kubeconfig ───────────────────────────────────────────────────────────
  {
    id: "kubeconfig-bad-base64", ref: "C1", role: "diagnosis",
    regex: /[Ee]rror loading config file "([^"]+)": .*illegal base64 data at input byte (\d+)/,
    title: "a kubeconfig's *-data field is not valid base64",
    emittedBy: "client-go kubeconfig loader (kubectl, kubelet, any client)",
    meaning: "certificate-authority-data, client-certificate-data or client-key-data holds something that is not base64; the byte offset points at the first bad character.",
    causes: ["placeholder text left in the field", "a truncated or garbled copy-paste"],
    checks: ["kubectl config view --raw -o jsonpath='{.clusters[*].cluster.certificate-authority-data}' | base64 -d | openssl x509 -noout -subject"],
    fix: ["re-embed the certificate: kubectl config set-cluster <name> --certificate-authority=ca.crt --embed-certs=true (or base64 -w0 ca.crt)"],
    fault: "local-files", confidence: "A",
  },
  {
    id: "kubeconfig-ca-not-pem", ref: "C2", role: "diagnosis",
    regex: /unable to load root certificates: unable to parse bytes as PEM block/,
    title: "the CA data decodes, but is not PEM",
    emittedBy: "client-go transport (kubectl, Helm, Terraform, webhook clients)",
    meaning: "certificate-authority-data (or a caBundle) was base64-decoded and the result is not a PEM certificate.",
    causes: ["it was base64-encoded twice (--embed-certs given an already encoded file)", "base64 was given where PEM was expected"],
    checks: ["… | base64 -d | head -1 must print -----BEGIN CERTIFICATE-----"],
    fix: ["provide the PEM, base64-encoded exactly once"],
    fault: "local-files", confidence: "B",
  },
  {
    id: "kubeconfig-file-unreadable", ref: "C3", role: "diagnosis",
    regex: /unable to read (client-cert|client-key|certificate-authority) (\S+) for (\S+) due to (.+)/,
    title: "a kubeconfig points at a certificate or key file that cannot be read",
    emittedBy: "client-go kubeconfig validation (kubectl: Error in configuration)",
    meaning: "The kubeconfig names files by path, and that path does not exist or is not readable on this machine.",
    causes: ["the kubeconfig was copied without its files", "relative paths", "permissions"],
    checks: ["kubectl config view --minify (the paths)", "ls -l <path>"],
    fix: ["copy the files, fix the paths, or embed the data: kubectl config set-credentials … --embed-certs=true"],
    fault: "local-files", confidence: "A",
  },
  {
    id: "kubeconfig-no-server", ref: "C4", role: "diagnosis",
    regex: /The connection to the server (\S+) was refused - did you specify the right host or port\?|invalid configuration: no server found for cluster "([^"]+)"|no configuration has been provided, try setting KUBERNETES_MASTER environment variable|context was not found for specified context: (\S+)/,
    title: "kubectl has no usable server, or the API server is down",
    emittedBy: "kubectl",
    meaning: "Not a TLS failure: kubectl could not reach a server at all. On a control plane this is often kube-apiserver crash-looping over its own certificates.",
    causes: [
      "no kubeconfig was loaded (kubectl then tries localhost:8080), or server: / the context is wrong",
      "kube-apiserver is down, often because its etcd client certificate or serving certificate expired",
    ],
    checks: ["kubectl config view --minify; echo $KUBECONFIG", "crictl ps -a | grep kube-apiserver, then crictl logs on it"],
    fix: ["set KUBECONFIG or fix server:; fix what stops kube-apiserver from starting (kubepki check on the control plane)"],
    fault: "none", confidence: "B",
  },

  // ── Key pairs and PEM ────────────────────────────────────────────────────
  {
    id: "key-mismatch", ref: "K1", role: "diagnosis",
    regex: /(?:crypto\/)?tls: private key does not match public key|tls: private key type does not match public key type/,
    title: "the private key does not belong to the certificate",
    emittedBy: "Go crypto/tls when loading a certificate and key (kubectl, kube-apiserver, any Go program)",
    meaning: "A certificate and a key were loaded as a pair, and the key is not the one the certificate was issued for (or not even the same type, RSA vs ECDSA).",
    causes: [
      "a kubeconfig's client-certificate-data and client-key-data come from different pairs",
      "certificate and key replaced one at a time, or from different renewals",
      "a Secret's tls.crt and tls.key do not match",
    ],
    checks: ["openssl x509 -noout -pubkey -in c.crt | openssl sha256, against openssl pkey -in k.key -pubout | openssl sha256"],
    fix: ["put the matching pair back (or regenerate both), writing certificate and key together; re-embed the right pair in the kubeconfig"],
    fault: "local-files", confidence: "A",
  },
  {
    id: "pem-input-wrong", ref: "K2", role: "diagnosis",
    regex: /tls: (?:failed to find any PEM data in (?:certificate|key) input|failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched|found a certificate rather than a key in the PEM for the private key|failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: .*|failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: .*)/,
    title: "the certificate or key input is not the PEM it should be",
    emittedBy: "Go crypto/tls when loading a certificate and key",
    meaning: "The file or field meant for the certificate (or the key) holds something else: the other half, nothing, or data encoded twice.",
    causes: ["certificate and key swapped", "base64-encoded twice, or empty", "the wrong file: a CSR or a public key"],
    checks: ["head -1 <file>: -----BEGIN CERTIFICATE----- or -----BEGIN … PRIVATE KEY-----", "for kubeconfig data: … | base64 -d | head -1"],
    fix: ["put PEM in the right fields, decoded exactly once"],
    fault: "local-files", confidence: "A",
  },

  // ── Trust and chain (core) ───────────────────────────────────────────────
  {
    id: "unknown-authority-same-name", ref: "T2", role: "diagnosis",
    regex: /x509: certificate signed by unknown authority \(possibly because of "([^"]+)" while trying to verify candidate authority certificate "([^"]*)"\)/,
    title: "signed by a CA with the right name but a different key (a regenerated CA)",
    emittedBy: "Go crypto/x509 (any Go client or server verifying a certificate)",
    meaning: "The verifier trusts a CA with the same name as the certificate's issuer (the name in quotes), but that CA's key did not sign it: one side has an old copy of a CA that was regenerated.",
    causes: [
      "\"kubernetes\": the cluster CA was regenerated (kubeadm reset + init) and the client still has the old ca.crt (kubeconfig, kubelet.conf, pod service-account ca.crt)",
      "\"front-proxy-ca\": see front-proxy-ca-mismatch",
      "a webhook's CA and serving certificate were regenerated out of step",
    ],
    checks: [
      "openssl x509 -noout -fingerprint -sha256 of the client's CA and of the server's issuing CA",
      "the leaf's Authority Key Identifier against each CA's Subject Key Identifier (openssl x509 -noout -text)",
    ],
    fix: [
      "give the client the current CA and regenerate kubeconfigs after any CA change (cp /etc/kubernetes/admin.conf ~/.kube/config)",
      "delete legacy token Secrets so they are recreated with the current ca.crt; restart pods that mount kube-root-ca.crt",
    ],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "unknown-authority", ref: "T1", role: "diagnosis",
    regex: /x509: certificate signed by unknown authority/,
    title: "the certificate is signed by a CA the verifier does not trust",
    emittedBy: "Go crypto/x509 (kubectl, kubelet, kube-apiserver as a client of etcd/kubelets/webhooks, etcd and kube-apiserver verifying client certificates)",
    meaning: "The side that logged this could not build a chain from the certificate it was shown to any CA in its trust bundle.",
    causes: [
      "the verifier's CA bundle is not the CA that issued the peer's certificate: typically a kubeconfig from an older or other cluster after kubeadm reset + init or a CA change",
      "the peer presents a certificate from another CA: the kubelet's self-signed certificate, regenerated certificates, an intercepting proxy",
      "an intermediate CA is neither sent by the peer nor in the bundle",
    ],
    checks: [
      KUBECTL_CA,
      "openssl s_client -connect <host>:<port> -showcerts </dev/null (the issuer of what is served)",
      "openssl verify -CAfile <ca.crt> <leaf.crt>; on a kubeadm control plane compare with /etc/kubernetes/pki/ca.crt",
    ],
    fix: ["give the verifier the current CA (kubeadm: cp /etc/kubernetes/admin.conf ~/.kube/config); servers should send their full chain; --insecure-skip-tls-verify only to diagnose"],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "ca-not-authorized-to-sign", ref: "T3", role: "diagnosis",
    regex: /x509: certificate is not authorized to sign other certificates/,
    title: "a CA in the chain is not marked as a CA",
    emittedBy: "Go crypto/x509",
    meaning: "A certificate used as an issuer in the chain lacks basicConstraints CA:TRUE.",
    causes: ["a custom, external or intermediate CA generated without v3 CA extensions", "a leaf certificate put in a bundle as if it were a CA"],
    checks: ["openssl x509 -noout -text -in <ca.crt> | grep -A1 'Basic Constraints'"],
    fix: ["reissue the CA with basicConstraints=critical,CA:TRUE and keyUsage=critical,keyCertSign,cRLSign"],
    fault: "peer-certificate", confidence: "B",
  },

  // ── Expiry and time ──────────────────────────────────────────────────────
  {
    id: "not-yet-valid", ref: "E2", role: "diagnosis",
    regex: /x509: certificate has expired or is not yet valid: current time (\S+) is before (\S+)/,
    title: "the certificate is not valid yet: a clock is wrong",
    emittedBy: "Go crypto/x509",
    meaning: "The verifier's clock is before the certificate's notBefore: the verifier's clock is behind, or the issuer's clock was ahead.",
    causes: ["clock skew: NTP not in sync on the verifier", "the certificate was issued moments ago by a host whose clock runs ahead", "a manual clock change during kubelet certificate rotation"],
    checks: ["date -u on both ends; timedatectl or chronyc tracking", "openssl x509 -noout -startdate -in <cert>"],
    fix: ["fix time synchronisation; reissue the certificate if its notBefore is wrong"],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "expired", ref: "E1", role: "diagnosis",
    regex: /x509: certificate has expired or is not yet valid(?:: current time (\S+) is after (\S+)|[^:]|$)/,
    title: "the certificate has expired",
    emittedBy: "Go crypto/x509 (older Go prints no times, so a wrong clock is also possible)",
    meaning: "The verifier's clock is past the certificate's notAfter.",
    causes: [
      "kubeadm certificates reached their one-year expiry without a renewal or upgrade (apiserver, apiserver-kubelet-client, apiserver-etcd-client, front-proxy-client, etcd, and the ones in admin.conf, controller-manager.conf, scheduler.conf)",
      "they were renewed on disk, but the static pods still run with the old ones: kube-apiserver, controller-manager, scheduler and etcd need a restart",
      "a copied kubeconfig (~/.kube/config from an old admin.conf) still embeds the old client certificate",
      "the kubelet's own client certificate (kubelet-client-expired)",
    ],
    checks: [
      "kubepki check (or kubeadm certs check-expiration)",
      "openssl x509 -noout -enddate -in /etc/kubernetes/pki/<name>.crt",
      "what is really served: openssl s_client -connect 127.0.0.1:6443 </dev/null | openssl x509 -noout -dates",
    ],
    fix: [
      "renew the certificates on every control-plane node (kubeadm certs renew all)",
      RESTART_STATIC_PODS,
      "refresh ~/.kube/config from the new admin.conf",
    ],
    fault: "peer-certificate", confidence: "A",
  },

  // ── Names and SANs ───────────────────────────────────────────────────────
  {
    id: "legacy-common-name", ref: "N3", role: "diagnosis",
    regex: /x509: certificate relies on legacy Common Name field, use SANs/,
    title: "the certificate has only a CN, no subjectAltName",
    emittedBy: "Go crypto/x509 (since Go 1.15, Kubernetes 1.19)",
    meaning: "Go no longer matches the host against the CN; the certificate needs a SAN for the name.",
    causes: ["a webhook, aggregated API or other server certificate made with -subj \"/CN=svc.ns.svc\" and no subjectAltName"],
    checks: ["openssl x509 -noout -ext subjectAltName -in tls.crt (prints nothing)"],
    fix: ["reissue with subjectAltName=DNS:<svc>.<ns>.svc (and .svc.cluster.local if used)"],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "no-names", ref: "N4", role: "diagnosis",
    regex: /x509: certificate is not valid for any names, but wanted to match (\S+)/,
    title: "the certificate has no SAN usable for the host dialed",
    emittedBy: "Go crypto/x509",
    meaning: "The certificate carries no DNS or IP names that could match the host.",
    causes: ["a webhook certificate generated as a SAN-less or CA-only certificate", "reports under a service mesh intercepting the webhook port (cause not confirmed)"],
    checks: ["openssl x509 -noout -ext subjectAltName -in <cert>"],
    fix: ["reissue with DNS:<svc>.<ns>.svc"],
    fault: "peer-certificate", confidence: "B",
  },
  {
    id: "no-ip-sans", ref: "N2", role: "diagnosis",
    regex: /x509: cannot validate certificate for (\S+) because it doesn't contain any IP SANs/,
    title: "the host dialed is an IP, and the certificate has no IP SANs",
    emittedBy: "Go crypto/x509",
    meaning: "The client connected to an IP address, and the certificate lists only DNS names.",
    causes: [
      "metrics-server or Prometheus scrapes kubelets by InternalIP, and the kubelets serve their self-signed hostname-only certificates",
      "kubectl logs/exec with --kubelet-certificate-authority set and kubelet certificates without IP SANs",
      "components dial kube-apiserver by IP (including the service IP, 10.96.0.1) and its certificate lacks IP SANs",
    ],
    checks: ["openssl x509 -noout -ext subjectAltName -in <cert>", "kubectl get csr (kubelet-serving)"],
    fix: [
      "kubelet: serverTLSBootstrap: true and approve the kubernetes.io/kubelet-serving CSRs; the certificates then carry the node IPs",
      "kube-apiserver: reissue apiserver.crt with the IP SANs (kubeadm: --apiserver-cert-extra-sans / certSANs)",
    ],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "name-mismatch", ref: "N1", role: "diagnosis",
    regex: /^(?:(?!x509: certificate is valid for ).)*x509: certificate is valid for (.+), not (\S+)/,
    reference: String.raw`x509: certificate is valid for (.+), not (\S+)`,
    title: "the certificate does not carry the name or IP the client dialed",
    emittedBy: "Go crypto/x509 (HostnameError)",
    meaning: "The first list is the certificate's SANs (IP SANs when an IP was dialed, DNS SANs otherwise); the last word is the host the client dialed.",
    causes: [
      "clients reach kube-apiserver through a name or IP not in apiserver.crt: a load balancer VIP, a public IP, a new DNS name",
      "kube-apiserver → etcd: etcd/server.crt lacks the --etcd-servers endpoint",
      "kube-apiserver → webhook: the SANs lack the <service>.<namespace>.svc actually dialed",
      "kube-apiserver → kubelet: \"valid for system:node:X, not X\" (the old CN fallback)",
    ],
    checks: ["openssl x509 -noout -ext subjectAltName -in <cert>, against the host in the message", "kubectl -n kube-system get cm kubeadm-config -o yaml (certSANs)"],
    fix: [
      "reissue the certificate with the missing SAN (kubeadm: add it to apiServer.certSANs or --apiserver-cert-extra-sans, remove apiserver.crt/.key, run kubeadm init phase certs apiserver) and restart the server",
      "or connect through a name the certificate already lists",
    ],
    fault: "peer-certificate", confidence: "A",
  },

  // ── Key usage ────────────────────────────────────────────────────────────
  {
    id: "incompatible-usage", ref: "U1", role: "diagnosis",
    regex: /x509: certificate specifies an incompatible key usage/,
    title: "the certificate's extended key usage does not allow this role",
    emittedBy: "Go crypto/x509",
    meaning: "Servers verifying client certificates require clientAuth; clients verifying servers require serverAuth.",
    causes: [
      "a client certificate without clientAuth (apiserver-kubelet-client, front-proxy-client, etcd client or peer certificates)",
      "a serving certificate without serverAuth",
      "an intermediate CA whose EKU list excludes the usage",
    ],
    checks: ["openssl x509 -noout -ext extendedKeyUsage -in <cert>"],
    fix: ["reissue: client certificates with extendedKeyUsage=clientAuth, serving certificates with serverAuth, etcd peer certificates with both"],
    fault: "peer-certificate", confidence: "A",
  },

  // ── TLS layer: alerts and routers ───────────────────────────────────────
  {
    id: "remote-rejected-client-cert", ref: "G3", role: "diagnosis",
    regex: /remote error: tls: (unknown certificate authority|expired certificate|certificate required)/,
    title: "the server refused this side's client certificate",
    emittedBy: "Go crypto/tls, relaying an alert from a newer Go server or a non-Go TLS stack",
    meaning: "The other end (the server) sent a fatal alert naming the problem with the client certificate we sent. The full reason is in the server's log.",
    causes: [
      "unknown certificate authority: our client certificate is not signed by the server's client CA (--client-ca-file, etcd --trusted-ca-file, the kubelet's clientCAFile)",
      "expired certificate: our client certificate has expired or is not yet valid",
      "certificate required: we sent no client certificate (TLS 1.3)",
    ],
    checks: ["openssl x509 -noout -issuer -enddate -in <our client cert>, against the server's client-CA file"],
    fix: ["renew the client certificate or reissue it from the right CA, and configure the certificate and key on the client"],
    fault: "client-certificate", confidence: "C",
  },
  {
    id: "remote-bad-certificate", ref: "G2", role: "diagnosis",
    regex: /remote error: (?:tls: )?bad certificate/,
    title: "the other side refused this side's certificate",
    emittedBy: "Go crypto/tls (a fatal alert received from the peer)",
    meaning: "The other end aborted the handshake after failing to verify this end's certificate. The reason is in the other end's log.",
    causes: [
      "logged by a server (http: TLS handshake error from X, etcd rejected connection): client X does not trust this server's certificate, e.g. a stale webhook caBundle or a client holding an old CA",
      "logged by a client (transport: authentication handshake failed): the server refused this client's certificate: missing, expired, or from the wrong CA",
    ],
    checks: ["read the other side's log for its x509 reason (kubepki explain it too)"],
    fix: ["fix the certificate the other side complains about"],
    fault: "own-certificate", confidence: "A",
  },
  {
    id: "tls-verify-failed", ref: "G1", role: "router",
    regex: /tls: failed to verify (?:client(?:'s)? )?certificate: (.+)/,
    title: "a TLS certificate verification failed",
    emittedBy: "Go crypto/tls (go1.20+ on clients; servers print \"client certificate\")",
    meaning: "Carries the real x509 error. \"client certificate\" means the server that logged it refused its peer's client certificate.",
    causes: ["see the x509 error it wraps"],
    checks: ["which process logged the line, and which peer it was talking to"],
    fix: ["see the x509 error it wraps"],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "tls-handshake-error", ref: "G4", role: "router", needsCore: true,
    regex: /http: TLS handshake error from (\S+): (.+)/,
    title: "a Go HTTPS server's handshake with a client failed",
    emittedBy: "Go net/http servers: kube-apiserver, kubelet :10250, webhooks, metrics-server",
    meaning: "The address is the client. After it: remote error: tls: bad certificate means the client refused our serving certificate; tls: failed to verify … certificate means we refused the client's; tls: client didn't provide a certificate means one was required and none sent.",
    causes: ["see the error it carries"],
    checks: ["map the client address to a pod or node"],
    fix: ["see the error it carries"],
    fault: "none", confidence: "A",
  },
  {
    id: "client-cert-missing", role: "diagnosis",
    regex: /tls: client didn't provide a certificate|peer did not return a certificate/,
    title: "the server requires a client certificate and the client sent none",
    emittedBy: "Go crypto/tls servers (etcd --client-cert-auth, kube-apiserver on mTLS-only ports); OpenSSL s_server",
    meaning: "The server asked for a client certificate, and the client did not present one.",
    causes: ["the client has no certificate configured (etcdctl without --cert/--key, kube-apiserver without --etcd-certfile, a kubeconfig user without client-certificate)"],
    checks: ["the client's flags or kubeconfig user"],
    fix: ["configure the client certificate and key on the client"],
    fault: "client-certificate", confidence: "B",
  },

  // ── OpenSSL, curl, Node and other non-Go clients ────────────────────────
  {
    id: "unsuitable-purpose", ref: "U2", role: "diagnosis",
    regex: /(?:unsuitable|unsupported) certificate purpose/,
    title: "OpenSSL: the certificate's usage does not allow this purpose",
    emittedBy: "OpenSSL verify (error 26): openssl, curl, Python, Ruby",
    meaning: "OpenSSL checked the certificate for a purpose (usually TLS server) its extensions do not allow.",
    causes: ["the serving certificate has nsCertType=client, or an EKU without serverAuth (Go clients may still accept it)", "a certificate with only anyExtendedKeyUsage"],
    checks: ["openssl x509 -in <cert> -noout -purpose"],
    fix: ["reissue with extendedKeyUsage=serverAuth (and clientAuth if needed), without nsCertType"],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "self-signed", ref: "T5", role: "diagnosis",
    regex: /self[- ]signed certificate(?: in certificate chain)?/,
    title: "OpenSSL: a self-signed certificate that is not trusted",
    emittedBy: "OpenSSL verify (errors 18, 19), curl, Node, Python",
    meaning: "The chain ends in a self-signed certificate that is not in the client's trust store.",
    causes: ["the server sends its own root CA and the client does not trust that root", "the server uses a self-signed leaf, such as the kubelet's default serving certificate"],
    checks: ["openssl s_client -connect <host>:<port> -showcerts -CAfile <ca.crt> </dev/null"],
    fix: ["trust the cluster CA explicitly (--cacert, -CAfile, NODE_EXTRA_CA_CERTS); issue serving certificates from the cluster CA"],
    fault: "peer-certificate", confidence: "B",
  },
  {
    id: "missing-issuer", ref: "T4", role: "diagnosis",
    regex: /unable to get local issuer certificate|unable to verify the first certificate|unable to get issuer certificate/,
    title: "OpenSSL: no trusted issuer for the certificate",
    emittedBy: "OpenSSL verify (errors 20, 21, 2): openssl s_client/verify, curl, Node, Python, nginx",
    meaning: "The client could not find the certificate's issuer among the certificates it trusts (or the intermediates the server sent).",
    causes: [
      "the client was not given the cluster CA (curl without --cacert, openssl verify without -CAfile)",
      "the chain is incomplete: an intermediate is missing",
      "the CA given is the wrong one (e.g. ca.crt for an etcd certificate, which etcd/ca.crt signs)",
    ],
    checks: ["openssl s_client -connect <host>:<port> -showcerts -CAfile <ca.crt> </dev/null", "openssl verify -CAfile <root> -untrusted <intermediates.pem> <leaf>"],
    fix: ["give the client the right CA bundle; have servers send the full chain"],
    fault: "peer-certificate", confidence: "A",
  },
  {
    id: "hostname-mismatch-non-go", role: "diagnosis",
    regex: /Hostname\/IP does not match certificate's altnames: (.+)|no alternative certificate subject name matches target host name '([^']+)'|hostname mismatch|IP address mismatch/,
    title: "the certificate does not carry the name or IP the client dialed (non-Go client)",
    emittedBy: "Node.js (ERR_TLS_CERT_ALTNAME_INVALID), curl, OpenSSL -verify_hostname/-verify_ip",
    meaning: "As name-mismatch: the server's certificate lacks a SAN for the host the client connected to.",
    causes: ["the client connects through a name or IP not in the server certificate's SANs"],
    checks: ["openssl x509 -noout -ext subjectAltName -in <cert>, against the host"],
    fix: ["reissue the certificate with the missing SAN, or connect through a name it lists"],
    fault: "peer-certificate", confidence: "B",
  },
  {
    id: "expired-non-go", ref: "E3", role: "diagnosis",
    regex: /certificate has expired|certificate is not yet valid/,
    title: "the certificate has expired or is not yet valid (non-Go client)",
    emittedBy: "OpenSSL verify (errors 10, 9): openssl, curl, Node, Python",
    meaning: "As expired / not-yet-valid, seen by a client built on OpenSSL.",
    causes: ["the certificate reached its notAfter (see expired)", "a clock is wrong (see not-yet-valid)"],
    checks: ["openssl x509 -noout -dates -in <cert>; date -u on both ends"],
    fix: ["renew the certificate and restart what serves it; or fix the clock"],
    fault: "peer-certificate", confidence: "C",
  },
  {
    id: "openssl-alert-received", role: "diagnosis",
    regex: /(?:sslv3|tlsv1|tlsv13) alert (bad certificate|unknown ca|certificate expired|certificate required|certificate unknown|unsupported certificate)/,
    title: "OpenSSL: the other side sent a TLS alert about this side's certificate",
    emittedBy: "OpenSSL (s_client, s_server, curl, nginx), relaying an alert from the peer",
    meaning: "As remote-bad-certificate: the other end refused the certificate this end presented (or refused the handshake because of it).",
    causes: ["the peer does not trust this side's certificate: wrong CA, expired, missing SAN, missing usage"],
    checks: ["the other side's log for its verification error"],
    fix: ["fix the certificate the other side complains about"],
    fault: "own-certificate", confidence: "B",
  },
  {
    id: "etcd-deadline", ref: "D3", role: "diagnosis",
    regex: /Error: context deadline exceeded/,
    title: "etcdctl timed out (often TLS flags missing or wrong)",
    emittedBy: "etcdctl",
    meaning: "Low specificity: etcdctl gave up. With a TLS etcd this is usually a handshake that keeps failing; it is also what a down etcd or a lost quorum looks like.",
    causes: ["etcdctl run without --cacert/--cert/--key, with http instead of https, against the wrong port, or with certificates etcd refuses"],
    checks: [
      "ETCDCTL_API=3 etcdctl --endpoints https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/healthcheck-client.crt --key /etc/kubernetes/pki/etcd/healthcheck-client.key endpoint health",
      "etcd's log: rejected connection … (kubepki explain it)",
    ],
    fix: ["give etcdctl the TLS flags with certificates from etcd's CA; or fix etcd itself"],
    fault: "none", confidence: "B",
  },
  {
    id: "unable-to-connect", ref: "C5", role: "router", needsCore: true,
    regex: /Unable to connect to the server: (.+)/,
    title: "kubectl could not connect to kube-apiserver",
    emittedBy: "kubectl",
    meaning: "Carries the real error. x509 errors are certificate problems; dial tcp or a handshake timeout is the network.",
    causes: ["see the error it wraps"],
    checks: ["see the error it wraps"],
    fix: ["see the error it wraps"],
    fault: "none", confidence: "A",
  },
];

/** A pattern by id (for tests and docs). */
export function patternById(id: string): Pattern | undefined {
  return PATTERNS.find((p) => p.id === id);
}
