import { join } from "node:path";
import { controlPlaneURL, type ClusterDescription } from "../cluster/description.js";
import { issueClientCertificate } from "../issue/client.js";
import { buildKubeconfig, stringifyKubeconfig } from "../kube/kubeconfig-write.js";
import { certificateToPEM } from "../pki/certificate.js";
import { generatePrivateKey, privateKeyToPEM } from "../pki/keys.js";
import { parseCertificate, type CertificateModel } from "../pki/model.js";
import { decodeCertificates } from "../pki/pem.js";
import { loadSigningCA } from "../signer/ca.js";
import { readText } from "../store/files.js";

/**
 * `kubepki kubeconfig user`: kubeadm's `kubeconfig user`
 * (phases/kubeconfig WriteKubeConfigWithClientCert / WriteKubeConfigWithToken):
 * a kubeconfig for CLIENT-NAME in the groups --org, signed by the cluster CA in
 * the certificates folder, with the server of the cluster configuration
 * (controlPlaneEndpoint, else the advertise address and bind port), the key
 * type of its encryptionAlgorithm; or with --token, that token and no key.
 */

export interface KubeconfigUserOptions {
  certDir: string;
  clientName: string;
  organizations: string[];
  /** kubeadm's --token: a bearer token instead of a client certificate. */
  token?: string;
  validityMs: number;
  now: Date;
}

export interface KubeconfigUserResult {
  /** The kubeconfig, YAML: it holds a private key unless token mode. */
  yaml: string;
  server: string;
  contextName: string;
  certificate?: CertificateModel;
  cappedByCA: boolean;
}

export async function kubeconfigUser(cluster: ClusterDescription, o: KubeconfigUserOptions): Promise<KubeconfigUserResult> {
  const server = controlPlaneURL(cluster);
  const contextName = `${o.clientName}@${cluster.clusterName}`;
  const entry = { clusterName: cluster.clusterName, server, userName: o.clientName, contextName };
  if (o.token !== undefined) {
    // Token mode needs only the CA certificate, as kubeadm reads only ca.crt then.
    const caFile = join(o.certDir, "ca.crt");
    const caPEM = await readText(caFile);
    const caDER = decodeCertificates(caPEM, caFile)[0];
    parseCertificate(caDER, caFile);
    const doc = buildKubeconfig({ ...entry, ca: { data: certificateToPEM(caDER) }, credentials: { certData: "", keyData: "" } });
    (doc.users as { user: unknown }[])[0].user = { token: o.token };
    return { yaml: stringifyKubeconfig(doc), server, contextName, cappedByCA: false };
  }
  const ca = await loadSigningCA(o.certDir);
  const key = await generatePrivateKey(cluster.encryptionAlgorithm);
  const issued = issueClientCertificate(ca, { commonName: o.clientName, organization: o.organizations }, key, o.validityMs, o.now);
  const doc = buildKubeconfig({
    ...entry,
    ca: { data: certificateToPEM(ca.cert.der) },
    credentials: { certData: certificateToPEM(issued.der), keyData: privateKeyToPEM(key) },
  });
  return { yaml: stringifyKubeconfig(doc), server, contextName, certificate: issued.certificate, cappedByCA: issued.cappedByCA };
}
