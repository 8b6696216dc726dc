import { chainUntrusted, keyMismatch, kubeconfigCAMismatch } from "./trust.js";
import { caKeyMissing, fileInvalid, fileMissing, fileUnreadable, keyPermissions } from "./files.js";
import { adminGroupMissing, frontProxyNameNotAllowed, kubeletIdentity, subjectMismatch } from "./identity.js";
import { keyReused, saKeypairMismatch, sha1Signature, weakKey } from "./crypto.js";
import { sanMissing } from "./sans.js";
import { caNotCA, ekuWrong, leafIsCA } from "./usage.js";
import { expired, expiringSoon, notYetValid } from "./validity.js";
import type { Rule } from "./types.js";

export type { Rule, RuleContext } from "./types.js";

/** Every rule, in report order: can it be read, is it trusted, is it valid now, does it say the right things. */
export const RULES: readonly Rule[] = [
  fileMissing, fileUnreadable, fileInvalid, caKeyMissing,
  keyMismatch, chainUntrusted, kubeconfigCAMismatch,
  expired, notYetValid, expiringSoon,
  subjectMismatch, adminGroupMissing, kubeletIdentity, frontProxyNameNotAllowed,
  sanMissing, ekuWrong, caNotCA, leafIsCA,
  weakKey, sha1Signature, keyPermissions, saKeypairMismatch, keyReused,
];
