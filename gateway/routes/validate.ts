// POST /debug/validate: the decision /debug/execute would take for the same body (parse and policy), the
// normalized argv and the deciding rule. Runs nothing; a refusal is recorded, marked dry_run.

import type { FastifyInstance } from 'fastify';
import {
  type CommandRequestBody,
  commandRequestSchema,
  type Validation,
  validationSchema,
} from '../../common/api.js';
import { checkCommand } from '../../common/policy/index.js';
import { callerOf } from '../auth/authenticate.js';
import { auditBase, commandContext, refusalDetails } from '../command-runner.js';
import type { GatewayContext } from '../context.js';
import { COMMAND_EXAMPLES, commandErrorResponses } from '../schemas.js';
import { foldUpstreamHeaders, upstreamHeadersSchema } from '../upstream-headers.js';

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
      const caller = callerOf(request);
      const policy = ctx.policy();
      ctx.refusals.requireCluster(request, request.body.cluster_id, policy);
      const c = commandContext(policy, request.body, caller);
      const d = checkCommand(policy, request.body, c);
      if (!d.allowed) {
        // Asking is not running: marked dry_run, and not counted as a refused command in the metrics.
        void ctx.audit.emit({
          ...auditBase(request, c),
          event_type: 'unauthorized_command_attempt',
          details: { ...refusalDetails(request.body, d), dry_run: true },
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
    },
  );
}
