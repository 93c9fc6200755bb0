// Where the CLI finds the gateway and the API key: flags win over the environment, which wins over
// the config file (KUBENTLY_CONFIG or ~/.config/kubently/config.json: {"api_url": "...", "api_key": "..."}).

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export interface Settings {
  apiUrl: string;
  apiKey: string | undefined;
}

export interface SettingsSources {
  flags: { apiUrl?: string; apiKey?: string; config?: string };
  env: Readonly<Record<string, string | undefined>>;
}

interface ConfigFile {
  api_url?: string;
  api_key?: string;
}

async function readConfigFile(path: string, explicit: boolean): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(
      `cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      EXIT.usage,
    );
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as ConfigFile;
  } catch {
    throw new CliError(
      `config file ${path} is not a JSON object like {"api_url": "...", "api_key": "..."}`,
      EXIT.usage,
    );
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * A warning when the API key would cross the network in clear text: plain `http://` to a host other than
 * loopback. Undefined when the URL is https or local.
 */
export function insecureUrlWarning(apiUrl: string): string | undefined {
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' || LOOPBACK.test(url.hostname)) return undefined;
  return `warning: ${url.origin} is plain http to a remote host: the API key and every answer travel unencrypted; use https://`;
}

export async function resolveSettings({ flags, env }: SettingsSources): Promise<Settings> {
  const explicitPath = flags.config ?? env.KUBENTLY_CONFIG;
  const path = explicitPath ?? join(env.HOME ?? homedir(), '.config', 'kubently', 'config.json');
  const file = await readConfigFile(path, explicitPath !== undefined);
  const apiUrl = flags.apiUrl ?? env.KUBENTLY_API_URL ?? file.api_url ?? DEFAULT_API_URL;
  try {
    new URL(apiUrl);
  } catch {
    throw new CliError(`invalid API URL ${JSON.stringify(apiUrl)}`, EXIT.usage);
  }
  return { apiUrl: apiUrl.replace(/\/+$/, ''), apiKey: flags.apiKey ?? env.KUBENTLY_API_KEY ?? file.api_key };
}
