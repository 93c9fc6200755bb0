// The gateway's application/json parser. Many HTTP clients (axios, upstream Kubently's CLI among them) send
// `Content-Type: application/json` on every request, bodies or not: a DELETE, or a POST whose body is
// optional, arrives with the header and nothing after it. Fastify's own parser answers those 400 "empty
// body"; this one lets them through wherever the route takes no body (or an optional one) and keeps the
// 400 only where a body is required. It also names the reason when a valid JSON document carries a
// `__proto__` key (or `constructor.prototype`), instead of calling the document invalid.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KubentlyError } from '../../common/errors.js';

/** What an empty body becomes: nothing for bodyless routes, `{}` where the body's fields are all optional. */
function emptyBody(request: FastifyRequest): unknown {
  if (request.is404) return undefined;
  const schema = request.routeOptions.schema?.body as { required?: readonly string[] } | undefined;
  if (schema === undefined) return undefined;
  if (schema.required && schema.required.length > 0) {
    throw new KubentlyError(
      'bad_request',
      `request body is empty: this route takes a JSON object with ${schema.required.join(', ')}`,
    );
  }
  return {};
}

/**
 * The JSON path of the first key that could reach an object's prototype: `__proto__` anywhere, or
 * `constructor` holding `prototype` (the two keys secure-json-parse refuses). Iterative, so a deeply nested
 * document cannot exhaust the stack; its size is already bounded by the body limit.
 */
export function prototypeKeyPath(value: unknown): string | null {
  const stack: Array<{ v: unknown; path: string }> = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    for (const key of Object.keys(v)) {
      const child = (v as Record<string, unknown>)[key];
      const at = `${path}/${key}`;
      if (key === '__proto__') return at;
      if (key === 'constructor' && typeof child === 'object' && child !== null && 'prototype' in child)
        return `${at}/prototype`;
      stack.push({ v: child, path: at });
    }
  }
  return null;
}

/** Replaces Fastify's application/json parser; the body limit stays the app's (`bodyLimit`). */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    const body = text as string;
    if (body.trim() === '') {
      try {
        done(null, emptyBody(request));
      } catch (err) {
        done(err as Error, undefined);
      }
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      done(new KubentlyError('bad_request', 'request body is not valid JSON'), undefined);
      return;
    }
    // A cheap test first: nearly every body has neither key, and then nothing is walked. A \u escape can
    // spell either key, so a body with one is always walked.
    const path = /__proto__|constructor|\\u/.test(body) ? prototypeKeyPath(value) : null;
    if (path !== null) {
      done(
        new KubentlyError('bad_request', `the key "${path.split('/').at(-1)}" is refused at ${path}`, {
          details: { path, reason: 'keys that reach an object prototype are never accepted' },
        }),
        undefined,
      );
      return;
    }
    done(null, value);
  });
}
