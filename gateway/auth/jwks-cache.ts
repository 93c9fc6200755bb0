// The issuer's signing keys: found through OpenID discovery, fetched once, reused until they are older than
// the maximum age, and fetched again when a token names a key id the set does not hold, at most once per
// cooldown (a stream of made-up key ids costs one fetch per cooldown, not one per request). Every fetch
// attempt, failed or not, starts the cooldown, so an unreachable issuer is not hammered either. jose's
// createRemoteJWKSet does the same with Date.now() and retries a failed fetch on every request; this one
// takes a clock so tests can step through the cooldown.

import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { isTrustedTransport } from './oidc-config.js';

/** The issuer (discovery or key set) could not be reached or answered nonsense; tokens cannot be checked. */
export class IssuerUnavailableError extends Error {
  constructor(
    message: string,
    /** Seconds until the next fetch will be attempted. */
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IssuerUnavailableError';
  }
}

export interface JwksCacheOptions {
  issuer: string;
  maxAgeMs: number;
  cooldownMs: number;
  /** Per fetch (discovery or keys), in ms. */
  timeoutMs?: number;
  /** Larger discovery or key-set answers are refused, in bytes. */
  maxBytes?: number;
  now?: () => number;
  fetchImpl?: typeof fetch;
}

export interface JwksCache {
  /** The key for a token's header, for jose's jwtVerify. Throws IssuerUnavailableError or jose's errors. */
  getKey: JWTVerifyGetKey;
  /** Fetches discovery and keys now unless a fetch happened within the cooldown (start-up warm-up). */
  refresh(): Promise<void>;
  /** Fetches of the key set so far (for tests and metrics). */
  readonly fetches: number;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_BYTES = 512 * 1024;

/** GETs `url` as JSON: 200 only, no redirects, at most `maxBytes`, within `timeoutMs`. */
async function fetchJson(
  url: URL,
  fetchImpl: typeof fetch,
  timeoutMs: number,
  maxBytes: number,
): Promise<unknown> {
  const res = await fetchImpl(url, {
    redirect: 'manual',
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`${url.href} answered ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`${url.href} answered more than ${maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`${url.href} answered more than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const {
    issuer,
    maxAgeMs,
    cooldownMs,
    timeoutMs = DEFAULT_FETCH_TIMEOUT_MS,
    maxBytes = DEFAULT_MAX_BYTES,
    now = Date.now,
    fetchImpl = fetch,
  } = options;
  const get = (url: URL) => fetchJson(url, fetchImpl, timeoutMs, maxBytes);
  let jwksUri: URL | undefined;
  let local: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let lastError: unknown;
  let pending: Promise<void> | undefined;
  let fetches = 0;

  async function discover(): Promise<URL> {
    const url = new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
    const doc = (await get(url)) as { issuer?: unknown; jwks_uri?: unknown };
    // OpenID Connect Discovery 4.3: the document must name exactly the issuer it was fetched for.
    if (doc?.issuer !== issuer) throw new Error(`discovery names issuer ${JSON.stringify(doc?.issuer)}`);
    if (typeof doc.jwks_uri !== 'string' || !URL.canParse(doc.jwks_uri)) {
      throw new Error('discovery has no valid jwks_uri');
    }
    const uri = new URL(doc.jwks_uri);
    if (!isTrustedTransport(uri)) throw new Error('jwks_uri is not https');
    return uri;
  }

  async function load(): Promise<void> {
    attemptedAt = now();
    try {
      jwksUri ??= await discover();
      fetches++;
      const set = createLocalJWKSet((await get(jwksUri)) as JSONWebKeySet);
      local = set;
      fetchedAt = now();
      lastError = undefined;
    } catch (err) {
      // The key set's address may have moved: discover again next time.
      jwksUri = undefined;
      lastError = err;
      throw unavailable(err);
    }
  }

  function unavailable(cause: unknown): IssuerUnavailableError {
    const waitMs = Math.max(0, attemptedAt + cooldownMs - now());
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new IssuerUnavailableError(
      `identity provider unavailable: ${reason}`,
      Math.max(1, Math.ceil(waitMs / 1000)),
      { cause },
    );
  }

  /** One fetch at a time; callers that arrive during it share its outcome. */
  function reload(): Promise<void> {
    pending ??= load().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  const coolingDown = () => now() - attemptedAt < cooldownMs;

  return {
    async getKey(header, token) {
      if (!local || now() - fetchedAt >= maxAgeMs) {
        if (coolingDown() && lastError !== undefined) throw unavailable(lastError);
        await reload();
      }
      try {
        return await local!(header, token);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey) || coolingDown()) throw err;
        await reload();
        return local!(header, token);
      }
    },
    async refresh() {
      if (!coolingDown()) await reload();
    },
    get fetches() {
      return fetches;
    },
  };
}
