import { isIP } from "node:net";
import { checkServerIdentity, connect, createSecureContext, type ConnectionOptions, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from "node:tls";
import { errnoText, inputError, isKubepkiError } from "../errors.js";
import { readInputFile } from "../store/files.js";
import { decodePem } from "../pki/pem.js";
import { readCertificate } from "../pki/x509-fast.js";
import type { ReadContext } from "./context.js";
import type { EndpointItem, Source } from "./types.js";

/**
 * After a TLS 1.3 handshake the server checks our certificate (or its absence)
 * and answers with an alert, so the client learns it was refused only a moment
 * after "secureConnect". This is how long to listen for that verdict.
 */
const CLIENT_VERDICT_MS = 300;

/** What a handshake showed, captured before the socket is closed. */
interface Handshake {
  /** Certificate chain as the peer sent it (DER), leaf first. */
  chain: Buffer[];
  peer: PeerCertificate;
  authorized: boolean;
  authorizationError?: string;
  protocol?: string;
  cipher?: string;
  clientRefusal?: string;
}

function handshake(options: ConnectionOptions, timeoutMs: number, label: string, waitForVerdict: boolean): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let result: Handshake | undefined;
    const socket = connect(options);
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (result && (!err || isClientCertAlert(err))) {
        if (err) result.clientRefusal = alertText(err);
        resolve(result);
      } else reject(err ?? new Error("connection closed"));
    };
    const timer = setTimeout(() => finish(inputError(`${label}: no TLS handshake within ${timeoutMs / 1000}s`, "is it a TLS port? raise --timeout if the server is slow")), timeoutMs);
    socket.once("secureConnect", () => {
      result = {
        chain: peerChain(socket), peer: socket.getPeerCertificate(), authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
        protocol: socket.getProtocol() ?? undefined, cipher: socket.getCipher()?.name,
      };
      if (!waitForVerdict) return finish();
      // Reading makes the alert (if any) surface as an error; otherwise the verdict window closes quietly.
      socket.on("data", () => {});
      setTimeout(() => finish(), CLIENT_VERDICT_MS);
    });
    socket.once("error", (err) => finish(err));
    socket.once("close", () => finish());
  });
}

/** The certificates the server sent, leaf first, de-duplicated (Node closes the chain with the self-signed root). */
function peerChain(socket: TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && cert.raw && !out.some((c) => c.equals(cert!.raw))) {
    out.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return out;
}

const isClientCertAlert = (err: Error) => /certificate required|handshake failure|bad certificate|unknown ca|certificate unknown|access denied|unsupported certificate|certificate expired|certificate revoked|decrypt error/i.test(err.message);
/** "unknown ca" out of OpenSSL's "...:tlsv1 alert unknown ca:../deps/...". */
const alertText = (err: Error) => (/alert ([a-z ]+)/i.exec(err.message)?.[1] ?? /:([^:]+):[^:]*$/.exec(err.message)?.[1] ?? err.message).trim();

function connectError(err: NodeJS.ErrnoException, label: string): Error {
  if (err.code === "ECONNREFUSED") return inputError(`${label}: connection refused`);
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") return inputError(`${label}: host not found`);
  if (err.code === "ECONNRESET") return inputError(`${label}: connection reset during the TLS handshake`, "is it a TLS port?");
  if (/SSL routines|alert/i.test(err.message)) return inputError(`${label}: TLS handshake failed (${alertText(err)})`);
  return inputError(`${label}: ${err.message.split("\n")[0]}`);
}

function readPemFile(path: string, flag: string): Buffer {
  try {
    return readInputFile(path, "file", `${flag} ${path}`);
  } catch (err) {
    if (isKubepkiError(err)) throw err;
    throw inputError(`${flag} ${path}: cannot read: ${errnoText((err as NodeJS.ErrnoException).code ?? "")}`);
  }
}

/**
 * Handshakes with host:port and adds the chain the server sent, plus a summary:
 * does it verify (OpenSSL, against --ca or Node's trust store), is it valid for
 * the name used, and what happened to our client certificate.
 */
export async function probeEndpoint(host: string, port: number, source: Source, ctx: ReadContext): Promise<void> {
  const o = ctx.options;
  const label = source.input;
  if (port < 1 || port > 65535) throw inputError(`${label}: bad port`);
  const servername = o.servername ?? (isIP(host) ? undefined : host);
  const checkedName = o.servername ?? host;
  const ca = o.ca ? o.ca.map((p) => readPemFile(p, "--ca")) : undefined;
  if (ca) ca.forEach((bytes, i) => decodePem(bytes.toString("latin1"), `--ca ${o.ca![i]}`));
  if ((o.cert === undefined) !== (o.key === undefined)) throw inputError("--cert and --key go together");
  const client = o.cert && o.key ? { cert: readPemFile(o.cert, "--cert"), key: readPemFile(o.key, "--key") } : {};
  if (o.cert && o.key) {
    // Checked here so that a wrong file is named, not reported as an OpenSSL "no start line".
    try {
      createSecureContext(client);
    } catch (err) {
      throw inputError(`--cert ${o.cert} / --key ${o.key}: not a usable certificate and key (${(err as Error).message.replace(/^error:[0-9A-F]+:/, "")})`);
    }
  }
  // The name is checked apart from the chain (below), so that each verdict says one thing.
  const base: ConnectionOptions = { host, port, servername, rejectUnauthorized: false, checkServerIdentity: () => undefined, ALPNProtocols: ["h2", "http/1.1"], ...client };
  // Two handshakes at once: one with an empty trust store, so that Node reports exactly the chain the server
  // sent (it appends an issuer from the trust store otherwise); one with the real store, for OpenSSL's verdict.
  let sent: Handshake;
  let verified: Handshake;
  try {
    [sent, verified] = await Promise.all([
      handshake({ ...base, ca: [] }, o.timeoutMs, label, false),
      handshake({ ...base, ...(ca ? { ca } : {}) }, o.timeoutMs, label, true),
    ]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.name === "KubepkiError") throw e;
    if (!o.cert && isClientCertAlert(e)) throw inputError(`${label}: the server refused the handshake (${alertText(e)}): it probably requires a client certificate`, "pass --cert and --key");
    if (o.cert && isClientCertAlert(e)) throw inputError(`${label}: the server refused the handshake (${alertText(e)}): it rejected the client certificate ${o.cert}`);
    throw connectError(e, label);
  }
  const facts = sent.chain.map((der, i) => readCertificate(der, `${label} (certificate ${i + 1})`));
  facts.forEach((f, i) => ctx.out.items.push({ type: "certificate", source: { ...source, where: "chain", index: i }, facts: f }));
  const identityError = checkServerIdentity(checkedName, verified.peer);
  const item: EndpointItem = {
    type: "endpoint", source, host, port, serverName: servername, checkedName,
    protocol: verified.protocol, cipher: verified.cipher,
    chainLength: sent.chain.length,
    verified: verified.authorized,
    verifyError: verified.authorized ? undefined : verified.authorizationError ?? "unknown error",
    trust: o.ca ? `--ca ${o.ca.join(", ")}` : "Node's trust store",
    nameValid: !identityError,
    nameError: identityError?.message,
    clientCertificate: o.cert ? (verified.clientRefusal ? "rejected" : "offered") : verified.clientRefusal ? "required-missing" : "none",
    clientCertificateError: verified.clientRefusal,
  };
  ctx.out.items.push(item);
}
