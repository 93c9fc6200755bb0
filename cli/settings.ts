// Where the CLI finds the gateway and the credential: flags win over the environment, which wins over the
// config file (KUBENTLY_CONFIG or ~/.config/kubently/config.json: {"api_url": "...", "api_key": "..."}, plus
// "oidc": {...} written by `kubently login`). At one level a bearer token wins over an API key.

import { chmod, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomically } from '../common/write-file-atomically.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import type { StoredLogin } from './oidc-login.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** What authenticates the CLI: an API key, a token given as is, or the tokens of `kubently login`. */
export type Credential =
  | { kind: 'api_key'; value: string }
  | { kind: 'token'; value: string }
  | { kind: 'login'; login: StoredLogin }
  /** A stored login that cannot be read: using it fails with this message, `kubently login` replaces it. */
  | { kind: 'unusable'; message: string };

export interface Settings {
  apiUrl: string;
  credential: Credential | undefined;
  /** The config file, where `kubently login` stores (and refreshes) its tokens. */
  configPath: string;
}

export interface SettingsSources {
  flags: { apiUrl?: string; apiKey?: string; token?: string; config?: string };
  env: Readonly<Record<string, string | undefined>>;
}

export interface ConfigFile {
  api_url?: string;
  api_key?: string;
  oidc?: StoredLogin;
}

/** The config file's path: --config, KUBENTLY_CONFIG, or ~/.config/kubently/config.json. */
export function configPathOf({ flags, env }: SettingsSources): { path: string; explicit: boolean } {
  const explicitPath = flags.config ?? env.KUBENTLY_CONFIG;
  return {
    path: explicitPath ?? join(env.HOME ?? homedir(), '.config', 'kubently', 'config.json'),
    explicit: explicitPath !== undefined,
  };
}

/**
 * Changes the config file, keeping what `change` leaves alone. Written whole through a temp file with mode
 * 0600 (it holds tokens and maybe a key), in a directory only the user may enter when it is created.
 */
export async function updateConfigFile(
  path: string,
  change: (file: ConfigFile) => ConfigFile,
): Promise<void> {
  const current = await readConfigFile(path, false);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomically(path, `${JSON.stringify(change(current), null, 2)}\n`);
  await chmod(path, 0o600);
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

/** A host name that never leaves the machine: localhost, 127.x.y.z, [::1] (URL hostnames keep the brackets). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/**
 * A warning when the API key would cross the network in clear text: plain `http://` to a host other than
 * loopback. Undefined when the URL is https or local.
 */
export function insecureUrlWarning(apiUrl: string): string | undefined {
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return undefined;
  return `warning: ${url.origin} is plain http to a remote host: the API key or token and every answer travel unencrypted; use https://`;
}

function storedLogin(value: unknown): Credential {
  const v = value as Partial<StoredLogin> | null;
  const ok =
    typeof v === 'object' &&
    v !== null &&
    typeof v.issuer === 'string' &&
    typeof v.client_id === 'string' &&
    typeof v.token === 'string' &&
    typeof v.expires_at === 'number' &&
    (v.token_kind === 'id_token' || v.token_kind === 'access_token') &&
    (v.refresh_token === undefined || typeof v.refresh_token === 'string');
  return ok
    ? { kind: 'login', login: v as StoredLogin }
    : { kind: 'unusable', message: 'the config file\'s "oidc" entry is malformed: run kubently login' };
}

function credentialOf({ flags, env }: SettingsSources, file: ConfigFile): Credential | undefined {
  const token = (value: string | undefined) => (value ? { kind: 'token' as const, value } : undefined);
  const key = (value: string | undefined) => (value ? { kind: 'api_key' as const, value } : undefined);
  return (
    token(flags.token) ??
    key(flags.apiKey) ??
    token(env.KUBENTLY_TOKEN) ??
    key(env.KUBENTLY_API_KEY) ??
    (file.oidc === undefined ? undefined : storedLogin(file.oidc)) ??
    key(file.api_key)
  );
}

/** `creatingConfig`: a named config file that does not exist yet is fine (login is about to write it). */
export async function resolveSettings(sources: SettingsSources, creatingConfig = false): Promise<Settings> {
  const { flags, env } = sources;
  const { path, explicit } = configPathOf(sources);
  const file = await readConfigFile(path, explicit && !creatingConfig);
  const apiUrl = flags.apiUrl ?? env.KUBENTLY_API_URL ?? file.api_url ?? DEFAULT_API_URL;
  try {
    new URL(apiUrl);
  } catch {
    throw new CliError(`invalid API URL ${JSON.stringify(apiUrl)}`, EXIT.usage);
  }
  return { apiUrl: apiUrl.replace(/\/+$/, ''), credential: credentialOf(sources, file), configPath: path };
}
