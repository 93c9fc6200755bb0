// POST /debug/validate: the decision /debug/execute would take for the same body (parse and policy), the
// normalized argv and the deciding rule. Runs nothing; a refusal is recorded, marked dry_run.

import type { FastifyInstance } from 'fastify';
import {
  type CommandRequestBody,
  commandRequestSchema,
  type Validation,
  validationSchema,
} from '../../common/api.js';
import { checkCommand, type Policy } from '../../common/policy/index.js';
import { callerOf } from '../auth/authenticate.js';
import { auditBase, commandContext, refusalDetails } from '../command-runner.js';
import type { GatewayContext } from '../context.js';
import type { RequestOrigin } from '../refusals.js';
import { COMMAND_EXAMPLES, commandErrorResponses } from '../schemas.js';
import { foldUpstreamHeaders, upstreamHeadersSchema } from '../upstream-headers.js';

/**
 * The decision for `body` (parse and gateway policy), without running anything; the cluster must already be
 * checked against the caller. A refusal is recorded as an `unauthorized_command_attempt` marked `dry_run`
 * (asking is not running: not counted as a refused command in the metrics), with `auditDetails` merged in.
 */
export function validateCommand(
  ctx: Pick<GatewayContext, 'audit'>,
  origin: RequestOrigin,
  body: CommandRequestBody,
  policy: Policy,
  auditDetails?: Record<string, unknown>,
): Validation {
  const c = commandContext(policy, body, callerOf(origin));
  const d = checkCommand(policy, body, c);
  if (!d.allowed) {
    void ctx.audit.emit({
      ...auditBase(origin, c),
      event_type: 'unauthorized_command_attempt',
      details: { ...refusalDetails(body, d), dry_run: true, ...auditDetails },
    });
  }
  const answer: Validation = {
    allowed: d.allowed,
    normalized_argv: d.allowed ? d.command.argv : (d.argv ?? []),
    rule: d.rule,
    reason: d.reason,
  };
  if (!d.allowed && d.token !== undefined) answer.token = d.token;
  return answer;
}

export async function validateRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  app.post<{ Body: CommandRequestBody; Reply: Validation }>(
    '/debug/validate',
    {
      schema: {
        tags: ['commands'],
        summary: 'Whether the policy allows a command, without running it',
        description:
          'Takes the same body as POST /debug/execute. Answers `allowed`, the normalized argv (the command as ' +
          'it would run), the deciding rule and its reason. Runs and records nothing.',
        headers: upstreamHeadersSchema({ timeout: true }),
        body: { ...commandRequestSchema, examples: COMMAND_EXAMPLES },
        response: {
          200: validationSchema,
          ...commandErrorResponses,
        },
      },
      preHandler: foldUpstreamHeaders,
    },
    async (request) => {
      const policy = ctx.policy();
      ctx.refusals.requireCluster(request, request.body.cluster_id, policy);
      return validateCommand(ctx, request, request.body, policy);
    },
  );
}
