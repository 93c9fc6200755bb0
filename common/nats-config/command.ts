// The users file nats.conf includes, from a file of agent tokens: what `kubently nats-config` runs.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { DEFAULT_BCRYPT_COST, InvalidAgentTokensError, renderAgentsConfig } from './render.js';

/**
 * Renders the agents' users file from `tokensFile` (see parseTokensFile for its two forms). Throws
 * InvalidAgentTokensError for a malformed file or cluster id, never quoting a token.
 */
export async function renderAgentsConfigFile(
  tokensFile: string,
  bcryptCost: number = DEFAULT_BCRYPT_COST,
): Promise<string> {
  const tokens = parseTokensFile(await readFile(tokensFile, 'utf8'), tokensFile);
  return renderAgentsConfig(tokens, { bcryptCost });
}

/** Writes to a temp file (mode 0600) and renames it, so a nats-server reload never reads half a file. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

/** JSON object `{ "<cluster>": "<token>" }`, or lines `<cluster>=<token>` (blank lines and # comments ignored). */
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
