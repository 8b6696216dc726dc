import type { KeyObject } from "node:crypto";
import { createCertificate, kubeadmValidity, randomSerial63, type Subject } from "../pki/certificate.js";
import { parseCertificate, type CertificateModel } from "../pki/model.js";
import type { SigningCA } from "../signer/sign.js";

export interface IssuedClient {
  der: Buffer;
  certificate: CertificateModel;
  /** The CA expires first, so the certificate ends with it. */
  cappedByCA: boolean;
}

/**
 * A client certificate as `kubeadm kubeconfig user` issues one: CN and O,
 * clientAuth, digital signature + key encipherment, a 63-bit serial, from 5
 * minutes ago for `validityMs`, never past the CA.
 */
export function issueClientCertificate(ca: SigningCA, subject: Subject, key: KeyObject, validityMs: number, now: Date): IssuedClient {
  const { notBefore, notAfter, cappedByCA } = kubeadmValidity(now, validityMs, ca.cert.notAfter);
  const der = createCertificate(
    {
      subject, serial: randomSerial63(), notBefore, notAfter, publicKey: key, isCA: false,
      keyUsage: ["digitalSignature", "keyEncipherment"], extKeyUsage: ["clientAuth"], dnsNames: [], ipAddresses: [],
    },
    { key: ca.key, certificateDER: ca.cert.der },
  );
  return { der, certificate: parseCertificate(der, subject.commonName), cappedByCA };
}
