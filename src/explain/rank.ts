/**
 * Orders a pattern's causes by what the message itself proves. A pattern lists
 * its causes most likely first in general, but one line can prove one of them:
 * Go's "certificate has expired … current time X is after Y" is an expiry,
 * whatever else the pattern covers. The proof quoted earliest in the line wins
 * (Go reports the first failure first); the other causes keep their order.
 */
const PROOFS: { proof: RegExp; first: RegExp }[] = [
  { proof: /current time \S+ is after \S+|certificate has expired(?! or is not yet valid)|certificate has expired or is not yet valid(?!: current time \S+ is before)/, first: /expired/i },
  { proof: /current time \S+ is before \S+|certificate is not yet valid/, first: /not yet valid|clock/i },
  { proof: /incompatible key usage/, first: /key usage|clientAuth|serverAuth/i },
  { proof: /signed by unknown authority|unable to get local issuer certificate|self[- ]signed certificate in certificate chain/, first: /\bCA\b|another cluster|previous cluster|authority|signed by/i },
  { proof: /certificate is valid for .*, not |doesn't contain any IP SANs|no alternative certificate subject name matches/, first: /\bSANs?\b|name|address/i },
];

/** `causes`, those the earliest proof in `text` names first; stable otherwise. */
export function rankCauses(causes: string[], text: string): string[] {
  let best: { at: number; first: RegExp } | undefined;
  for (const { proof, first } of PROOFS) {
    const m = proof.exec(text);
    if (m && (!best || m.index < best.at)) best = { at: m.index, first };
  }
  if (!best) return causes;
  const proven = best.first;
  return [...causes.filter((c) => proven.test(c)), ...causes.filter((c) => !proven.test(c))];
}
