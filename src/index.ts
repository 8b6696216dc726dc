// kubepki's library API: the same functions the CLI calls.
export { KubepkiError, inputError, problemError } from "./errors.js";
export * from "./cluster/description.js";
export { mergeClusterPatches, type ClusterPatch } from "./cluster/patch.js";
export { parseClusterConfig, readClusterConfig } from "./cluster/config-file.js";
export { parseDuration, shortHumanDuration } from "./cluster/duration.js";
export { planCatalog, PROFILES as CATALOG_PROFILES, type PlannedCertificate, type PlannedItem, type PlannedKeyPair } from "./catalog/index.js";
export type { CertSpec, KeyPairSpec, Spec, Consumer, AltNames } from "./catalog/types.js";
export { initPKI, type InitOptions, type InitResult, type ItemOutcome, type Action } from "./issue/init.js";
export { differencesFromPlan } from "./issue/compare.js";
export * from "./pki/keys.js";
export * from "./pki/certificate.js";
export * from "./pki/model.js";
export * from "./pki/pem.js";
export * from "./store/files.js";
// Issue 3: kubeconfigs, the CSR API, the built-in signers' rules, keys.
export { planKubeconfigs, type PlannedKubeconfig } from "./catalog/index.js";
export type { KubeconfigSpec } from "./catalog/types.js";
export type { KubeconfigOutcome } from "./issue/kubeconfigs.js";
export { issueClientCertificate } from "./issue/client.js";
export { buildKubeconfig, mergeKubeconfig, stringifyKubeconfig, updateKubeconfigFile, type KubeconfigEntry } from "./kube/kubeconfig-write.js";
export { buildCSRObject, readCSRFile, issuedCertificate, withIssuedCertificate, KEY_USAGE_VALUES, type CSRInput, type CSRFile } from "./kube/csr.js";
export { createCSR, parseCSR, decodeCSRPem, csrToPEM, type CSRModel } from "./pki/csr.js";
export { parseKeyChoice, generateChosenKey, type KeyChoice } from "./pki/key-choice.js";
export { findSigner, apiServerRules, SIGNER_NAMES, KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING } from "./signer/signers.js";
export { assessRequest, signRequest, requestedTTL, validityFor, type SignRequest, type SigningCA } from "./signer/sign.js";
export { privilegeWarnings, type PrivilegeWarning } from "./signer/guard.js";
export { reviewRequest, type ReviewItem } from "./signer/review.js";
export { loadSigningCA } from "./signer/ca.js";
