import { existsSync } from "node:fs";
import { join } from "node:path";
import { toYAML } from "../yaml.js";
import type { ClusterDescription } from "./description.js";
import type { ClusterPatch } from "./patch.js";

/**
 * The cluster record: the facts `kubepki init` issued with (node names and
 * addresses, service CIDR, DNS domain, endpoint, extra SANs), written beside
 * what it issued so that check and renew judge against evidence instead of
 * defaults. Its format is kubepki's own ClusterPKI file (config-file.ts), so
 * `--config` reads it too. It holds no secret: mode 0644.
 */
export const CLUSTER_RECORD = "kubepki-cluster.yaml";

/** What the record says, ready for `toYAML`: only facts, never keys, validities or algorithms. */
export function clusterRecord(cluster: ClusterDescription): Record<string, unknown> {
  const ep = cluster.controlPlaneEndpoint;
  return {
    apiVersion: "kubepki.io/v1alpha1",
    kind: "ClusterPKI",
    profile: cluster.profile,
    clusterName: cluster.clusterName,
    ...(ep ? { controlPlaneEndpoint: ep.port ? `${ep.host.includes(":") ? `[${ep.host}]` : ep.host}:${ep.port}` : ep.host } : {}),
    bindPort: cluster.bindPort,
    serviceSubnet: cluster.serviceSubnet,
    dnsDomain: cluster.dnsDomain,
    apiServerCertSANs: cluster.apiServerCertSANs,
    etcd: { external: cluster.etcd.external, serverCertSANs: cluster.etcd.serverCertSANs, peerCertSANs: cluster.etcd.peerCertSANs },
    controlPlane: cluster.controlPlane,
    workers: cluster.workers,
  };
}

/** The record as a file to write: init writes it in the same journaled commit as the certificates. */
export function clusterRecordFile(dir: string, cluster: ClusterDescription): { path: string; data: string } {
  const header = "# Written by kubepki init: the facts this PKI was issued with. kubepki check and renew read it.\n";
  return { path: join(dir, CLUSTER_RECORD), data: header + toYAML(clusterRecord(cluster)) };
}

/** The record in DIR as a cluster patch, or undefined when there is none; a broken record is an input error naming it. */
export async function readClusterRecord(dir: string): Promise<{ file: string; patch: ClusterPatch } | undefined> {
  const file = join(dir, CLUSTER_RECORD);
  if (!existsSync(file)) return undefined;
  // zod and the schema load only when a record is there.
  const { readClusterConfig } = await import("./config-file.js");
  return { file, patch: await readClusterConfig(file) };
}
