// The API keys the gateway accepts: from API_KEYS and from a mounted file that is re-read when it changes.
//
// Keys are held only as SHA-256 digests. API keys are long random strings, so a fast hash is as safe as a
// slow one here (no dictionary to attack) and costs microseconds per request, where bcrypt would cost
// ~100 ms of CPU per request and make every call a denial-of-service lever. Lookup is a Map keyed by the
// digest: the attacker controls the candidate, not the digest, so the map's comparison time tells nothing
// about a stored key; timingSafeEqual then confirms the match over the full digest.

import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { FILE_POLL_MS, type FileWatch, watchFileChanges } from '../../common/file-watch.js';
import type { Logger } from '../../common/logger.js';
import { splitKeyEntries } from '../config.js';

export const IDENTITY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** Keys shorter than this are accepted with a warning: a fast hash assumes high-entropy keys. */
export const MIN_RECOMMENDED_KEY_LENGTH = 24;

export interface ApiKeyEntry {
  identity: string;
  key: string;
}

export function sha256(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * A bare key's identity: `key-` and the first 6 hex characters of its SHA-256. Deterministic, so the
 * same key has the same identity on every replica and after restarts, and it reveals nothing usable.
 */
export function identityForBareKey(key: string): string {
  return `key-${sha256(key).toString('hex').slice(0, 6)}`;
}

/**
 * `service:key` (split at the first colon) or a bare key. An entry whose part before the colon is not a
 * valid identity is taken as a bare key, so keys that contain a colon still work.
 */
export function parseKeyEntry(entry: string): ApiKeyEntry {
  const colon = entry.indexOf(':');
  if (colon > 0 && colon < entry.length - 1) {
    const identity = entry.slice(0, colon);
    if (IDENTITY_PATTERN.test(identity)) return { identity, key: entry.slice(colon + 1) };
  }
  return { identity: identityForBareKey(entry), key: entry };
}

export interface ApiKeyStore {
  /** The identity the key belongs to, or null. */
  authenticate(key: string): string | null;
  readonly size: number;
  /** Re-reads the key file now (also done on change and on the poll interval). */
  reload(): void;
  close(): void;
}

export interface ApiKeyStoreOptions {
  inline: string[];
  file?: string | undefined;
  log: Logger;
  pollMs?: number;
}

type KeyMap = Map<string, { identity: string; digest: Buffer }>;

function buildMap(entries: string[], log: Logger, source: string): KeyMap {
  const map: KeyMap = new Map();
  for (const raw of entries) {
    const { identity, key } = parseKeyEntry(raw);
    const digest = sha256(key);
    const hex = digest.toString('hex');
    const existing = map.get(hex);
    if (existing && existing.identity !== identity) {
      // Two identities for one key would make the caller's identity depend on load order.
      log.warn(
        { source, identity, kept: existing.identity },
        'duplicate API key with another identity ignored',
      );
      continue;
    }
    if (key.length < MIN_RECOMMENDED_KEY_LENGTH) {
      log.warn({ source, identity }, 'API key shorter than recommended; use: openssl rand -hex 32');
    }
    map.set(hex, { identity, digest });
  }
  return map;
}

export function createApiKeyStore({
  inline,
  file,
  log,
  pollMs = FILE_POLL_MS,
}: ApiKeyStoreOptions): ApiKeyStore {
  const inlineKeys = buildMap(inline, log, 'API_KEYS');
  let fileKeys: KeyMap = new Map();
  let lastStat = '';
  let watch: FileWatch | undefined;

  function statSignature(path: string): string {
    // statSync follows symlinks, so a Kubernetes `..data` swap changes ino and mtime.
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  }

  function load(): void {
    if (!file) return;
    try {
      const signature = statSignature(file);
      const text = readFileSync(file, 'utf8');
      fileKeys = buildMap(splitKeyEntries(text), log, 'API_KEYS_FILE');
      lastStat = signature;
      log.info({ file, keys: fileKeys.size }, 'API key file loaded');
    } catch (err) {
      // Keep the last good set: a half-written or briefly missing file must not lock everyone out.
      log.error(
        { file, code: (err as NodeJS.ErrnoException).code },
        'API key file cannot be read; keeping previous keys',
      );
    }
  }

  function checkChanged(): void {
    if (!file) return;
    let signature: string;
    try {
      signature = statSignature(file);
    } catch {
      return;
    }
    if (signature !== lastStat) load();
  }

  if (file) {
    load();
    watch = watchFileChanges(file, checkChanged, {
      debounceMs: 50,
      pollMs,
      onWatchError: (err) => log.warn({ err }, 'API key file watch failed; relying on polling'),
    });
  }

  function lookup(map: KeyMap, hex: string, digest: Buffer): string | null {
    const entry = map.get(hex);
    return entry && timingSafeEqual(entry.digest, digest) ? entry.identity : null;
  }

  return {
    authenticate(key) {
      const digest = sha256(key);
      const hex = digest.toString('hex');
      return lookup(inlineKeys, hex, digest) ?? lookup(fileKeys, hex, digest);
    },
    get size() {
      return inlineKeys.size + fileKeys.size;
    },
    reload: load,
    close() {
      watch?.close();
    },
  };
}
