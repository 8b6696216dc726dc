import { z } from "zod";
import { inputError } from "../errors.js";
import { readText } from "../store/files.js";
import { parseYAMLDocuments } from "../yaml.js";
import { formatVersion, parseKubernetesVersion } from "../catalog/versions.js";
import { parseKeyAlgorithm, parseProfile } from "./description.js";
import { parsePositiveDuration } from "./duration.js";
import { parseIP } from "./net.js";
import { checkEndpoint, checkNode, checkNodeName, checkPort, checkSANs, checkServiceSubnet, type ClusterPatch } from "./patch.js";

export const KUBEPKI_API_VERSION = "kubepki.io/v1alpha1";
const KUBEADM_VERSIONS = ["kubeadm.k8s.io/v1beta3", "kubeadm.k8s.io/v1beta4"];

// Only the fields kubepki reads; kubeadm's many others pass through untouched.
const strings = z.array(z.string());
const initConfiguration = z.looseObject({
  nodeRegistration: z.looseObject({ name: z.string().optional() }).optional(),
  localAPIEndpoint: z.looseObject({ advertiseAddress: z.string().optional(), bindPort: z.number().int().optional() }).optional(),
});
const clusterConfiguration = z.looseObject({
  clusterName: z.string().optional(),
  kubernetesVersion: z.string().optional(),
  certificatesDir: z.string().optional(),
  controlPlaneEndpoint: z.string().optional(),
  networking: z.looseObject({ serviceSubnet: z.string().optional(), dnsDomain: z.string().optional() }).optional(),
  apiServer: z.looseObject({ certSANs: strings.optional() }).optional(),
  etcd: z.looseObject({
    local: z.looseObject({ serverCertSANs: strings.optional(), peerCertSANs: strings.optional() }).optional(),
    external: z.looseObject({}).optional(),
  }).optional(),
  certificateValidityPeriod: z.string().optional(),
  caCertificateValidityPeriod: z.string().optional(),
  encryptionAlgorithm: z.string().optional(),
});
const node = z.strictObject({ name: z.string(), address: z.string() });
// kubepki's own file is strict: a typo is an error, not a silently ignored field.
const kubepkiConfig = z.strictObject({
  apiVersion: z.literal(KUBEPKI_API_VERSION),
  kind: z.literal("ClusterPKI"),
  profile: z.string().optional(),
  kubernetesVersion: z.string().optional(),
  clusterName: z.string().optional(),
  controlPlaneEndpoint: z.string().optional(),
  bindPort: z.number().int().optional(),
  serviceSubnet: z.string().optional(),
  dnsDomain: z.string().optional(),
  apiServerCertSANs: strings.optional(),
  etcd: z.strictObject({ external: z.boolean().optional(), serverCertSANs: strings.optional(), peerCertSANs: strings.optional() }).optional(),
  encryptionAlgorithm: z.string().optional(),
  certificateValidityPeriod: z.string().optional(),
  caCertificateValidityPeriod: z.string().optional(),
  controlPlane: z.array(node).min(1).optional(),
  workers: z.array(node).optional(),
});

function validate<T>(schema: z.ZodType<T>, doc: unknown, file: string): T {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join(".") || "(document)";
  const message = issue.code === "unrecognized_keys" ? `unknown field "${issue.keys.join('", "')}"` : issue.message;
  throw inputError(`${file}: ${field}: ${message}`);
}

/**
 * Reads a cluster description file: kubeadm's InitConfiguration and
 * ClusterConfiguration (v1beta3, v1beta4), or kubepki's own ClusterPKI, which
 * also lists several control-plane nodes and workers.
 */
export async function readClusterConfig(path: string): Promise<ClusterPatch> {
  return parseClusterConfig(await readText(path, "--config"), path);
}

export function parseClusterConfig(text: string, file: string): ClusterPatch {
  const docs = parseYAMLDocuments(text, file);
  const patch: ClusterPatch = {};
  let recognised = 0;
  for (const [i, data] of docs.entries()) {
    if (data === null || data === undefined) continue;
    if (typeof data !== "object" || Array.isArray(data)) throw inputError(`${file}: document ${i + 1} is not a mapping`);
    const { apiVersion, kind } = data as { apiVersion?: unknown; kind?: unknown };
    const where = `${file} (${kind ?? `document ${i + 1}`})`;
    if (kind === "ClusterPKI" || apiVersion === KUBEPKI_API_VERSION) {
      Object.assign(patch, fromKubepki(validate(kubepkiConfig, data, where), where));
    } else if (kind === "InitConfiguration" || kind === "ClusterConfiguration") {
      if (!KUBEADM_VERSIONS.includes(String(apiVersion))) {
        throw inputError(`${where}: apiVersion: "${apiVersion}" is not supported`, `kubepki reads ${KUBEADM_VERSIONS.join(" and ")}`);
      }
      if (kind === "InitConfiguration") Object.assign(patch, fromInit(validate(initConfiguration, data, where), where));
      else Object.assign(patch, fromCluster(validate(clusterConfiguration, data, where), where));
    } else {
      continue; // KubeletConfiguration, KubeProxyConfiguration…: nothing about certificates.
    }
    recognised++;
  }
  if (!recognised) throw inputError(`${file}: no InitConfiguration, ClusterConfiguration or ClusterPKI document found`);
  return patch;
}

function fromInit(c: z.infer<typeof initConfiguration>, where: string): ClusterPatch {
  const ep = c.localAPIEndpoint;
  return {
    firstNode: {
      name: c.nodeRegistration?.name !== undefined ? checkNodeName(c.nodeRegistration.name, `${where}: nodeRegistration.name`) : undefined,
      address: ep?.advertiseAddress ? parseIP(ep.advertiseAddress, `${where}: localAPIEndpoint.advertiseAddress`) : undefined,
    },
    bindPort: ep?.bindPort !== undefined ? checkPort(ep.bindPort, `${where}: localAPIEndpoint.bindPort`) : undefined,
  };
}

function fromCluster(c: z.infer<typeof clusterConfiguration>, where: string): ClusterPatch {
  const f = (name: string) => `${where}: ${name}`;
  return {
    clusterName: c.clusterName,
    kubernetesVersion: c.kubernetesVersion !== undefined ? formatVersion(parseKubernetesVersion(c.kubernetesVersion, f("kubernetesVersion"))) : undefined,
    certificatesDir: c.certificatesDir || undefined,
    controlPlaneEndpoint: c.controlPlaneEndpoint ? checkEndpoint(c.controlPlaneEndpoint, f("controlPlaneEndpoint")) : undefined,
    serviceSubnet: c.networking?.serviceSubnet ? checkServiceSubnet(c.networking.serviceSubnet, f("networking.serviceSubnet")) : undefined,
    dnsDomain: c.networking?.dnsDomain,
    apiServerCertSANs: c.apiServer?.certSANs ? checkSANs(c.apiServer.certSANs, f("apiServer.certSANs")) : undefined,
    etcd: {
      external: c.etcd?.external ? true : undefined,
      serverCertSANs: c.etcd?.local?.serverCertSANs ? checkSANs(c.etcd.local.serverCertSANs, f("etcd.local.serverCertSANs")) : undefined,
      peerCertSANs: c.etcd?.local?.peerCertSANs ? checkSANs(c.etcd.local.peerCertSANs, f("etcd.local.peerCertSANs")) : undefined,
    },
    certValidityMs: c.certificateValidityPeriod ? parsePositiveDuration(c.certificateValidityPeriod, f("certificateValidityPeriod")) : undefined,
    caValidityMs: c.caCertificateValidityPeriod ? parsePositiveDuration(c.caCertificateValidityPeriod, f("caCertificateValidityPeriod")) : undefined,
    encryptionAlgorithm: c.encryptionAlgorithm ? parseKeyAlgorithm(c.encryptionAlgorithm, f("encryptionAlgorithm")) : undefined,
  };
}

function fromKubepki(c: z.infer<typeof kubepkiConfig>, where: string): ClusterPatch {
  const f = (name: string) => `${where}: ${name}`;
  return {
    ...fromCluster(
      {
        clusterName: c.clusterName, kubernetesVersion: c.kubernetesVersion, controlPlaneEndpoint: c.controlPlaneEndpoint,
        networking: { serviceSubnet: c.serviceSubnet, dnsDomain: c.dnsDomain }, apiServer: { certSANs: c.apiServerCertSANs },
        etcd: { local: { serverCertSANs: c.etcd?.serverCertSANs, peerCertSANs: c.etcd?.peerCertSANs }, external: c.etcd?.external ? {} : undefined },
        certificateValidityPeriod: c.certificateValidityPeriod, caCertificateValidityPeriod: c.caCertificateValidityPeriod,
        encryptionAlgorithm: c.encryptionAlgorithm,
      },
      where,
    ),
    profile: c.profile ? parseProfile(c.profile, f("profile")) : undefined,
    bindPort: c.bindPort !== undefined ? checkPort(c.bindPort, f("bindPort")) : undefined,
    controlPlane: c.controlPlane?.map((n, i) => checkNode(n, f(`controlPlane[${i}]`))),
    workers: c.workers?.map((n, i) => checkNode(n, f(`workers[${i}]`))),
  };
}
