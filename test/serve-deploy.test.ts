// deploy/kubernetes, built by kubectl's own kustomize (offline) and validated
// against the Kubernetes API's schemas by kubernetes-models (and the
// Prometheus Operator's by @kubernetes-models/prometheus-operator); then the
// DaemonSet's own command line is run as kubepki serve.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { kubepki, ROOT, sh, tempDir } from "./helpers.ts";
import { get, sample, serve } from "./serve-helpers.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;

const MODELS: Record<string, new (data: Manifest) => { validate(): void }> = {
  Namespace, ServiceAccount, Service, DaemonSet, ServiceMonitor, PrometheusRule,
};

function rendered(): Manifest[] {
  const r = sh("kubectl", ["kustomize", join(ROOT, "deploy/kubernetes")]);
  assert.equal(r.code, 0, r.stderr);
  return parseAllDocuments(r.stdout).map((d) => d.toJS());
}

test("kubectl kustomize builds deploy/kubernetes, and every object is valid against its API schema", () => {
  const objects = rendered();
  assert.deepEqual(objects.map((o) => o.kind).sort(), ["DaemonSet", "Namespace", "PrometheusRule", "Service", "ServiceAccount", "ServiceMonitor"]);
  for (const o of objects) {
    assert.ok(MODELS[o.kind], o.kind);
    new MODELS[o.kind](o).validate();
    if (o.kind !== "Namespace") assert.equal(o.metadata.namespace, "kubepki", `${o.kind} in the kustomization's namespace`);
  }
  // The validator does reject what the API server would.
  const ds = objects.find((o) => o.kind === "DaemonSet");
  const broken = structuredClone(ds);
  broken.spec.template.spec.containers[0].ports[0].containerPort = "metrics";
  assert.throws(() => new DaemonSet(broken).validate(), /containerPort must be integer/);
  const noSelector = structuredClone(ds);
  delete noSelector.spec.selector;
  assert.throws(() => new DaemonSet(noSelector).validate(), /selector/);
});

test("the DaemonSet runs everywhere with least privilege, and the Service, ServiceMonitor and rules fit together", () => {
  const objects = rendered();
  const of = (kind: string) => objects.find((o) => o.kind === kind);
  const ds = of("DaemonSet");
  const pod = ds.spec.template.spec;
  const [container] = pod.containers;
  // Control-plane nodes too.
  assert.ok(pod.tolerations.some((t: Manifest) => t.key === "node-role.kubernetes.io/control-plane" && t.operator === "Exists" && t.effect === "NoSchedule"));
  // Root for the 0600 keys, and nothing else.
  assert.equal(pod.securityContext.runAsUser, 0);
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(pod.hostNetwork, undefined);
  assert.equal(pod.hostPID, undefined);
  assert.deepEqual(container.securityContext, { privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  assert.deepEqual(pod.volumes.map((v: Manifest) => [v.hostPath.path, v.hostPath.type]), [["/etc/kubernetes", "Directory"], ["/var/lib/kubelet/pki", "Directory"]]);
  assert.deepEqual(container.volumeMounts.map((m: Manifest) => [m.mountPath, m.readOnly]), [["/host/etc/kubernetes", true], ["/host/var/lib/kubelet/pki", true]]);
  assert.ok(container.resources.requests.memory && container.resources.limits.memory);
  assert.equal(of("ServiceAccount").automountServiceAccountToken, false);

  // Service → pods, ServiceMonitor → Service, by the same labels and port name.
  const svc = of("Service");
  const podLabels = ds.spec.template.metadata.labels;
  for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(podLabels[k], v);
  assert.equal(svc.spec.clusterIP, "None");
  assert.equal(svc.spec.ports[0].targetPort, container.ports[0].name);
  const sm = of("ServiceMonitor");
  for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(svc.metadata.labels[k], v);
  assert.equal(sm.spec.endpoints[0].port, svc.spec.ports[0].name);
  // The Operator names the job after the Service, which KubepkiExporterDown selects.
  assert.match(readFileSync(join(ROOT, "deploy/prometheus/kubepki-rules.yaml"), "utf8"), new RegExp(`up\\{job="${svc.metadata.name}"\\} == 0`));
  // The PrometheusRule carries exactly the rules promtool tests.
  assert.deepEqual(of("PrometheusRule").spec, parse(readFileSync(join(ROOT, "deploy/prometheus/kubepki-rules.yaml"), "utf8")));
});

test("the DaemonSet's command line is a working kubepki serve (its root and address moved to a test node on loopback)", async (t) => {
  const ds = rendered().find((o) => o.kind === "DaemonSet");
  const [container] = ds.spec.template.spec.containers;
  const dir = tempDir(t);
  const r = kubepki(["init", "--out", join(dir, "etc/kubernetes"), "--node-name", "worker-7", "--apiserver-advertise-address", "10.0.0.7", "--encryption-algorithm", "ECDSA-P256"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(container.args[0], "serve");
  // Kubernetes expands $(NODE_NAME) from the downward API; here it is the test node's name.
  const args = container.args.slice(1)
    .filter((a: string) => !a.startsWith("--listen="))
    .map((a: string) => (a === "--root=/host" ? `--root=${dir}` : a.replace("$(NODE_NAME)", "worker-7")));
  assert.ok(args.includes(`--root=${dir}`), "the DaemonSet reads the host under --root");
  const s = await serve(t, args);
  const probe = container.livenessProbe.httpGet.path;
  assert.equal((await get(s.url + probe)).status, 200);
  const metrics = (await get(`${s.url}/metrics`)).body;
  assert.equal(sample(metrics, "kubepki_check_success", { node: "worker-7", cluster: "kubernetes" }), 1, metrics);
  assert.equal(sample(metrics, "kubepki_check_interval_seconds"), 300);
  // Labels are host paths, as on every node.
  assert.ok(sample(metrics, "kubepki_certificate_expiry_timestamp_seconds", { file: "/etc/kubernetes/pki/ca.crt" }));
});
