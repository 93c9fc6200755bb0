// `kubently nats-config --tokens <file> [--output <file>]`: renders the users file nats.conf includes.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { DEFAULT_BCRYPT_COST, InvalidAgentTokensError, renderAgentsConfig } from './render.js';

export interface NatsConfigCommandOptions {
  /** JSON object `{ "<cluster>": "<token>" }`, or lines `<cluster>=<token>` (blank lines and # comments ignored). */
  tokensFile: string;
  /** Where to write; omitted: standard output. Written to a temp file and renamed, so a reload never sees half. */
  output?: string;
  bcryptCost?: number;
}

export async function runNatsConfigCommand(options: NatsConfigCommandOptions): Promise<void> {
  const tokens = parseTokensFile(await readFile(options.tokensFile, 'utf8'), options.tokensFile);
  const text = await renderAgentsConfig(tokens, { bcryptCost: options.bcryptCost ?? DEFAULT_BCRYPT_COST });
  if (!options.output) {
    process.stdout.write(text);
    return;
  }
  const tmp = `${options.output}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, options.output);
}

export function parseTokensFile(text: string, name = 'tokens file'): Record<string, string> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      // The parser's message may quote the file's content, i.e. a token.
      throw new InvalidAgentTokensError(`${name} is not valid JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new InvalidAgentTokensError(`${name} must be a JSON object of cluster id to token`);
    }
    const tokens: Record<string, string> = {};
    for (const [clusterId, token] of Object.entries(parsed)) {
      if (typeof token !== 'string')
        throw new InvalidAgentTokensError(`token of cluster "${clusterId}" is not a string`);
      tokens[clusterId] = token;
    }
    return tokens;
  }
  const tokens: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new InvalidAgentTokensError(`${name} line ${i + 1}: expected <cluster>=<token>`);
    const clusterId = line.slice(0, eq).trim();
    if (clusterId in tokens)
      throw new InvalidAgentTokensError(`${name}: cluster "${clusterId}" appears twice`);
    tokens[clusterId] = line.slice(eq + 1).trim();
  });
  return tokens;
}
