import { promises as fs } from "node:fs";
import { join } from "node:path";
import { ROTATION_PHASES, rotationDir, rotationStateFile } from "../check/rotation.js";
import type { NodeModel } from "../check/load.js";
import { inputError } from "../errors.js";
import { readIfExists } from "../store/files.js";

/**
 * Where a CA rotation keeps its state on a node: `<pki>/rotation/<ca>/`, with
 * the new CA (`new.crt`, `new.key`: what `begin --from` copies to the other
 * nodes) and `state.json` (the phase and the fingerprints of the old and new
 * CA). The phase is also read from the certificates themselves, so a phase
 * that was interrupted and run again continues where it stopped.
 */

/** The CAs (and the service-account key pair) rotate-ca handles, by catalog id. */
export const ROTATABLE = ["ca", "etcd-ca", "front-proxy-ca", "sa"] as const;
export type Rotatable = (typeof ROTATABLE)[number];

export type Phase = (typeof ROTATION_PHASES)[number];

export interface RotationState {
  kind: "KubepkiRotation";
  apiVersion: "kubepki.io/v1alpha1";
  ca: Rotatable;
  phase: Phase;
  started: string;
  /** SHA-256 fingerprints (certificates) or key ids (sa) of the old and the new CA. */
  old: string;
  new: string;
  /** Backup folders of each phase, newest last: abort puts them back in reverse. */
  backups: string[];
  /** kube-controller-manager's --cluster-signing-cert-file, moved off the CA file while it is a bundle. */
  signingFlag?: { from: string; to: string };
}

export function parseRotatable(name: string): Rotatable[] {
  if (name === "all") return [...ROTATABLE];
  if ((ROTATABLE as readonly string[]).includes(name)) return [name as Rotatable];
  throw inputError(`--ca: unknown CA "${name}"`, `one of: ${ROTATABLE.join(", ")}, all`);
}


export async function readState(pkiDir: string, ca: Rotatable): Promise<RotationState | undefined> {
  const file = rotationStateFile(pkiDir, ca);
  const text = await readIfExists(file);
  if (text === undefined) return undefined;
  try {
    const state = JSON.parse(text.toString()) as RotationState;
    if (state.kind !== "KubepkiRotation" || state.ca !== ca) throw new Error("not a rotation state");
    return state;
  } catch {
    throw inputError(`${file}: not a kubepki rotation state`, "move it away if it is not kubepki's");
  }
}

/** The loaded CA entry of the node for a catalog id; a rotation needs the CA and its key on the node. */
export function caOf(model: NodeModel, ca: Exclude<Rotatable, "sa">) {
  const loaded = model.certs.find((c) => c.item.id === ca && c.item.role === "CA");
  if (!loaded) throw inputError(`${ca}: this node's layout has no such CA`, `the ${model.inventory.profile} profile has: ${model.certs.filter((c) => c.item.role === "CA").map((c) => c.item.id).join(", ")}`);
  if (!loaded.cert) throw inputError(`${ca}: ${loaded.certFile} cannot be read: ${loaded.problems[0]?.message ?? "missing"}`);
  return loaded;
}

export async function removeRotationDir(pkiDir: string, ca: Rotatable): Promise<void> {
  await fs.rm(rotationDir(pkiDir, ca), { recursive: true, force: true });
  await fs.rmdir(join(pkiDir, "rotation")).catch(() => undefined);
}
