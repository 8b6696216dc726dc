import { shortHumanDuration } from "../../cluster/duration.js";
import type { Finding } from "../findings.js";
import { decide, reissue, type Fix } from "../fixes.js";
import type { LoadedCert, NodeModel } from "../load.js";
import type { Rule } from "./types.js";

const day = (d: Date) => d.toISOString().replace(/\.\d+Z$/, "Z");
const ROTATION_DOC = "https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/";

/** The certificates a CA row signs on this node, for saying what its expiry breaks. */
const signedBy = (ca: LoadedCert, model: NodeModel) => model.certs.filter((c) => c.item.caId === ca.item.id && c.item.role !== "CA").map((c) => c.item.id);

/** What to do about a certificate's validity: reissue a leaf; a CA is a rotation a person plans. */
function validityFix(c: LoadedCert, model: NodeModel, expiredNow: boolean): Fix {
  if (c.item.role !== "CA") return reissue(c, model.inventory, model.certs, "renew it");
  return decide(expiredNow
    ? `make a new CA and re-issue everything it signed (a CA rotation: ${ROTATION_DOC}); nothing signed by the expired CA can be renewed until then, and kubepki never replaces a CA on its own`
    : `plan a CA rotation before ${day(c.cert!.notAfter)}: every certificate it signed must then be re-issued (${ROTATION_DOC})`);
}

export const expired: Rule = {
  id: "expired",
  run({ model, now }) {
    return model.certs.flatMap((c): Finding[] => {
      if (!c.cert || c.cert.notAfter > now) return [];
      const ago = `${c.item.id} expired on ${day(c.cert.notAfter)} (${shortHumanDuration(now.getTime() - c.cert.notAfter.getTime())} ago)`;
      const leaves = c.item.role === "CA" ? signedBy(c, model) : [];
      // What an expired CA breaks now: every chain through it fails, whatever the leaves' own dates.
      const breaks = c.item.role === "CA"
        ? `: every certificate it signed fails verification now ("x509: certificate has expired or is not yet valid")${leaves.length ? `: ${leaves.join(", ")}` : ""}`
        : "";
      return [{ id: "expired", severity: "error", file: c.certFile, certificate: c.item.id, message: ago + breaks, ...validityFix(c, model, true) }];
    });
  },
};

/** A notBefore in the future is nearly always a clock that is wrong on the issuer or here. */
export const notYetValid: Rule = {
  id: "not-yet-valid",
  run({ model, now }) {
    return model.certs.flatMap((c): Finding[] => {
      if (!c.cert || c.cert.notBefore <= now || c.cert.notAfter <= now) return [];
      const fix = validityFix(c, model, false);
      return [{
        id: "not-yet-valid", severity: "error", file: c.certFile, certificate: c.item.id,
        message: `${c.item.id} is not valid before ${day(c.cert.notBefore)}, ${shortHumanDuration(c.cert.notBefore.getTime() - now.getTime())} from now: a clock is wrong`,
        fix: c.item.role === "CA"
          ? `check the clocks (timedatectl; chronyc tracking) here and where the CA was made; a CA from the future is a clock fault, not something to reissue`
          : `check the clocks (timedatectl; chronyc tracking) here and where it was issued; if this node's clock is right, ${fix.fix}`,
        commands: c.item.role === "CA" ? [] : fix.commands,
      }];
    });
  },
};

export const expiringSoon: Rule = {
  id: "expiring-soon",
  run({ model, now, warnWithinMs, warnWithinCAMs }) {
    return model.certs.flatMap((c): Finding[] => {
      if (!c.cert || c.cert.notAfter <= now) return [];
      const left = c.cert.notAfter.getTime() - now.getTime();
      const window = c.item.role === "CA" ? warnWithinCAMs : warnWithinMs;
      if (left > window) return [];
      return [{ id: "expiring-soon", severity: "warning", file: c.certFile, certificate: c.item.id, message: `${c.item.id} expires on ${day(c.cert.notAfter)}, in ${shortHumanDuration(left)}`, ...validityFix(c, model, false) }];
    });
  },
};
