// The one text every verb answers with when the Kubernetes API cannot be reached. Node's socket and TLS
// errors name the apiserver's internal address and port (`connect ECONNREFUSED 10.96.0.1:443`), which the
// caller must not learn; kubectl would print them, Kubently prints only the error code.

/**
 * `error: the agent could not reach the Kubernetes API (ECONNREFUSED)` for an error that carries a Node
 * system or TLS error code; undefined for anything else (an apiserver answer, the agent's own errors).
 */
export function unreachableApiText(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' && code !== ''
    ? `error: the agent could not reach the Kubernetes API (${code})`
    : undefined;
}
