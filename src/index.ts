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
