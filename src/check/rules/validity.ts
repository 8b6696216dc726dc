import { shortHumanDuration } from "../../cluster/duration.js";
import type { Finding } from "../findings.js";
import { renewFix } from "../fixes.js";
import type { Rule } from "./types.js";

const day = (d: Date) => d.toISOString().replace(/\.\d+Z$/, "Z");

export const expired: Rule = {
  id: "expired",
  run({ model, now }) {
    return model.certs.flatMap((c): Finding[] =>
      c.cert && c.cert.notAfter <= now
        ? [{ id: "expired", severity: "error", file: c.certFile, certificate: c.item.id, message: `${c.item.id} expired on ${day(c.cert.notAfter)} (${shortHumanDuration(now.getTime() - c.cert.notAfter.getTime())} ago)`, fix: renewFix(c, model.inventory) }]
        : [],
    );
  },
};

/** A notBefore in the future is nearly always a clock that is wrong on the issuer or here. */
export const notYetValid: Rule = {
  id: "not-yet-valid",
  run({ model, now }) {
    return model.certs.flatMap((c): Finding[] =>
      c.cert && c.cert.notBefore > now && c.cert.notAfter > now
        ? [{ id: "not-yet-valid", severity: "error", file: c.certFile, certificate: c.item.id, message: `${c.item.id} is not valid before ${day(c.cert.notBefore)}, ${shortHumanDuration(c.cert.notBefore.getTime() - now.getTime())} from now: a clock is wrong`, fix: `check the clocks (timedatectl; chronyc tracking) here and where it was issued; if this node's clock is right, re-issue it: ${renewFix(c, model.inventory)}` }]
        : [],
    );
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
      return [{ id: "expiring-soon", severity: "warning", file: c.certFile, certificate: c.item.id, message: `${c.item.id} expires on ${day(c.cert.notAfter)}, in ${shortHumanDuration(left)}`, fix: renewFix(c, model.inventory) }];
    });
  },
};
