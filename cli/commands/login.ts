// `kubently login` (OAuth device authorization grant against the gateway's OpenID Connect issuer),
// `kubently logout` and `kubently whoami` (the identity and groups the gateway sees).

import type { Command } from 'commander';
import { createApiClient } from '../api-client.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { DEFAULT_SCOPE, deviceLogin } from '../oidc-login.js';
import { updateConfigFile } from '../settings.js';

/** GET /whoami. */
export interface WhoAmI {
  identity: string;
  groups: string[];
  auth_method: 'api_key' | 'oidc';
  expires_at: string | null;
  admin: boolean;
}

const METADATA_PATH = '/.well-known/oauth-protected-resource';
const METADATA_TIMEOUT_MS = 10_000;

/** The issuer and CLI client id the gateway advertises (RFC 9728 metadata), for a login without flags. */
async function advertised(apiUrl: string): Promise<{ issuer?: string; clientId?: string }> {
  try {
    const res = await fetch(`${apiUrl}${METADATA_PATH}`, {
      signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
    });
    if (!res.ok) return {};
    const body = (await res.json()) as { authorization_servers?: unknown; kubently_cli_client_id?: unknown };
    const issuer = Array.isArray(body.authorization_servers) ? body.authorization_servers[0] : undefined;
    return {
      ...(typeof issuer === 'string' ? { issuer } : {}),
      ...(typeof body.kubently_cli_client_id === 'string' ? { clientId: body.kubently_cli_client_id } : {}),
    };
  } catch {
    return {};
  }
}

function printWhoAmI(ctx: CliContext, who: WhoAmI): void {
  if (ctx.output() === 'json') {
    ctx.stdout.write(`${JSON.stringify(who, null, 2)}\n`);
    return;
  }
  const rows: Array<[string, string]> = [
    ['IDENTITY', who.identity],
    ['AUTH', who.auth_method],
    ['GROUPS', who.groups.join(', ') || '-'],
    ['EXPIRES', who.expires_at ?? '-'],
    ['ADMIN', who.admin ? 'yes' : 'no'],
  ];
  for (const [k, v] of rows) ctx.stdout.write(`${k.padEnd(10)}${v}\n`);
}

export function registerLogin(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description("sign in with the gateway's identity provider (OAuth device authorization grant)")
    .option(
      '--issuer <url>',
      'OpenID Connect issuer (env KUBENTLY_OIDC_ISSUER; default: the one the gateway names)',
    )
    .option(
      '--client-id <id>',
      'public client id (env KUBENTLY_OIDC_CLIENT_ID; default: the one the gateway names)',
    )
    .option('--scope <scopes>', 'scopes to ask for', DEFAULT_SCOPE)
    .option(
      '--use-access-token',
      'send the access token instead of the ID token (when OIDC_AUDIENCE is an API)',
    )
    .action(async (opts: { issuer?: string; clientId?: string; scope: string; useAccessToken?: boolean }) => {
      const settings = await ctx.settings({ creatingConfig: true });
      let issuer = opts.issuer ?? ctx.env.KUBENTLY_OIDC_ISSUER;
      let clientId = opts.clientId ?? ctx.env.KUBENTLY_OIDC_CLIENT_ID;
      if (issuer === undefined || clientId === undefined) {
        const fromGateway = await advertised(settings.apiUrl);
        issuer ??= fromGateway.issuer;
        clientId ??= fromGateway.clientId;
      }
      if (issuer === undefined || clientId === undefined) {
        throw new CliError(
          `${settings.apiUrl} names no ${issuer === undefined ? 'issuer' : 'client id'} for login: pass --issuer and --client-id`,
          EXIT.usage,
        );
      }
      const login = await deviceLogin({
        issuer,
        clientId,
        scope: opts.scope,
        tokenKind: opts.useAccessToken ? 'access_token' : 'id_token',
        prompt: (uri, code, complete) => {
          ctx.stderr.write(`To sign in, open ${complete ?? uri}\nand confirm the code ${code}\n`);
        },
      });
      await updateConfigFile(settings.configPath, (file) => ({ ...file, oidc: login }));
      ctx.stderr.write(`Tokens saved in ${settings.configPath}\n`);
      const client = createApiClient({ ...settings, credential: { kind: 'login', login } });
      const { body } = await client.request<WhoAmI>('GET', '/whoami');
      ctx.stderr.write(`Signed in to ${settings.apiUrl} as ${body.identity}\n`);
    });

  program
    .command('logout')
    .description('forget the tokens of kubently login (the identity provider session stays)')
    .action(async () => {
      const settings = await ctx.settings({ creatingConfig: true });
      await updateConfigFile(settings.configPath, ({ oidc: _, ...rest }) => rest);
      ctx.stderr.write(`Signed out: tokens removed from ${settings.configPath}\n`);
    });

  program
    .command('whoami')
    .description('print the identity and groups the gateway sees for your credential')
    .action(async () => {
      const client = await ctx.client();
      const { body } = await client.request<WhoAmI>('GET', '/whoami');
      printWhoAmI(ctx, body);
    });
}
