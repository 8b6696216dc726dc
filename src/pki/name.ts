import type * as asn from "@peculiar/asn1-x509";
import type { DistinguishedName } from "./model.js";
import { ATTRIBUTE_NAMES } from "./x509-fast.js";

/** A parsed ASN.1 Name (from a CSR) as the DistinguishedName every command prints and compares. */
export function readName(name: asn.Name): DistinguishedName {
  const parts: string[] = [];
  const organization: string[] = [];
  let commonName: string | undefined;
  for (const rdn of name) {
    const values = rdn.map((atv) => {
      const value = atv.value.toString();
      if (atv.type === "2.5.4.3") commonName = value;
      if (atv.type === "2.5.4.10") organization.push(value);
      return `${ATTRIBUTE_NAMES[atv.type] ?? atv.type}=${value}`;
    });
    parts.push(values.join(" + "));
  }
  return { commonName, organization, text: parts.join(", ") };
}
