import type { Finding } from "../findings.js";
import type { NodeModel } from "../load.js";

/** What every rule sees: the node as read, the clock, and the warning windows. */
export interface RuleContext {
  model: NodeModel;
  now: Date;
  /** Warn when a leaf expires within this many milliseconds. */
  warnWithinMs: number;
  /** The same for CAs, which take longer to replace. */
  warnWithinCAMs: number;
}

/** One small check with a stable id; it returns findings and never throws for bad input. */
export interface Rule {
  id: string;
  run(ctx: RuleContext): Finding[];
}
