// Errors a verb throws to answer without running anything further: a failure kubectl would print, or a
// denial by the agent's own policy that only execution could decide (a custom type's discovered group).

/** kubectl-style stderr text; the outcome is `failure`. */
export class RefusedError extends Error {}

/** The agent's policy denies what the command turned out to read; the outcome is `denied`. */
export class PolicyDeniedError extends Error {
  readonly rule: string;
  constructor(rule: string, reason: string) {
    super(`${reason} (agent policy rule ${rule})`);
    this.rule = rule;
  }
}
