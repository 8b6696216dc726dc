import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Where `kubepki rotate-ca` keeps a rotation's state on a node: `<pki>/rotation/<ca>/state.json`
 * beside the new CA. Defined here, below both, so that check (and serve's
 * kubepki_rotation_phase) can say a node is mid-rotation without loading rotate-ca.
 */
export const rotationDir = (pkiDir: string, ca: string) => join(pkiDir, "rotation", ca);
export const rotationStateFile = (pkiDir: string, ca: string) => join(rotationDir(pkiDir, ca), "state.json");

/** The phases rotate-ca records, in order: the gauge's value is the position. */
export const ROTATION_PHASES = ["begun", "reissued"] as const;

export interface RotationUnderWay {
  ca: string;
  phase: string;
  phaseNumber: number;
}

/** Every rotation under way on the node, from its state files; an unreadable one is skipped (rotate-ca status reports it). */
export function rotationsUnderWay(pkiDir: string): RotationUnderWay[] {
  const dir = join(pkiDir, "rotation");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((ca) => {
    try {
      const { phase } = JSON.parse(readFileSync(rotationStateFile(pkiDir, ca), "utf8")) as { phase: string };
      const phaseNumber = ROTATION_PHASES.indexOf(phase as (typeof ROTATION_PHASES)[number]) + 1;
      return phaseNumber ? [{ ca, phase, phaseNumber }] : [];
    } catch {
      return [];
    }
  });
}
