// The request handler behind the simulated kube-apiserver: a pure function from (method, path,
// headers) to a response, so benchmarks can call it in-process as the floor and server.ts only
// adapts it to node:http.

import type { ResourceType } from '../common/resources.js';
import { TYPE_BY_PATH } from './catalog.js';
import { buildDiscovery, type DiscoveryDocs } from './discovery.js';
import type { GeneratedPods } from './fixtures-generated.js';
import { type Change, createSimLive, type SimLive } from './live.js';
import { followLogs, podLogs } from './logs.js';
import { METRICS_GROUP, metricsResponse } from './metrics.js';
import {
  fieldMatcher,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from './selectors.js';
import { badRequest, forbidden, JSON_TYPE, notFound, resourceNotFound, statusResponse } from './status.js';
import { acceptedTableVersion, type IncludeObject, renderTable } from './table.js';
import type { KubeObject, SimFixtures, SimHeaders, SimResponse, SimStream } from './types.js';

export interface SimHandlerOptions {
  fixtures: SimFixtures;
  clock: () => number;
  /** OpenAPI v3 documents by path ('/openapi/v3', '/openapi/v3/api/v1', ...). */
  openapi?: ReadonlyMap<string, string>;
}

export interface SimHandler {
  handle(method: string, path: string, headers?: SimHeaders): SimResponse;
  readonly fixtures: SimFixtures;
  /** Call after changing `fixtures.objects` in place, so sorting and resourceVersions are redone. */
  invalidate(): void;
  /** Changes while the sim runs, which watches and followed logs hear of as they happen. */
  readonly live: SimLive;
}

const WRITE_VERBS: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

interface Route {
  type: ResourceType;
  namespace: string | null;
  name?: string;
  subresource?: string;
}

function header(headers: SimHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function ok(body: string, contentType = JSON_TYPE): SimResponse {
  return { status: 200, contentType, body };
}

/** Parses /api/v1/... and /apis/g/v/... resource paths; undefined for anything else. */
function parseResourcePath(parts: string[]): Route | 'unknown' | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | null = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const type = TYPE_BY_PATH.get(`${group}/${version}/${rest[0]}`);
  if (!type || rest.length > 3) return 'unknown';
  if (namespace !== null && !type.namespaced) return 'unknown';
  return {
    type,
    namespace,
    ...(rest[1] ? { name: rest[1] } : {}),
    ...(rest[2] ? { subresource: rest[2] } : {}),
  };
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function encodeContinue(rv: string, start: string): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: `${start}\u0000` }),
  ).toString('base64');
}

function decodeContinue(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString()) as { start?: unknown };
    return typeof parsed.start === 'string' ? parsed.start.replace(/\u0000$/, '') : undefined;
  } catch {
    return undefined;
  }
}

export function createSimHandler(options: SimHandlerOptions): SimHandler {
  const { fixtures, clock } = options;
  const discovery: DiscoveryDocs = buildDiscovery();
  let sorted = new Map<string, KubeObject[]>();
  let resourceVersion = 0;

  function index(floor = 0): void {
    sorted = new Map();
    let rv = 1000;
    for (const [resource, list] of Object.entries(fixtures.objects)) {
      for (const o of list) {
        rv++;
        o.metadata.resourceVersion ??= String(rv);
      }
      sorted.set(
        resource,
        [...list].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0)),
      );
    }
    resourceVersion = Math.max(rv, floor, resourceVersion);
  }
  index();
  const live = createSimLive({ fixtures, clock, resourceVersion: () => resourceVersion, invalidate: index });

  /** Generated sets a request over `resource` in `namespace` (null: all) reads. */
  function generatedFor(resource: string, namespace: string | null): GeneratedPods[] {
    const sets = resource === 'pods' ? (fixtures.generated?.pods ?? []) : [];
    return sets.filter((g) => namespace === null || g.namespace === namespace);
  }

  function list(route: Route, query: URLSearchParams, accept: string | undefined): SimResponse {
    const { type, namespace } = route;
    if (generatedFor(type.resource, namespace).length > 0) return listLazily(route, query, accept);
    const labelSel = query.get('labelSelector');
    const fieldSel = query.get('fieldSelector');
    const matches = matcherOf(route, query);
    if (typeof matches !== 'function') return matches;
    let items = (sorted.get(type.resource) ?? []).filter(matches);
    if (query.get('watch') === 'true' || query.get('watch') === '1')
      return watch(route, query, accept, items, matches);
    const token = query.get('continue');
    if (token) {
      const start = decodeContinue(token);
      if (start === undefined)
        return badRequest('continue key is not valid: illegal base64 data at input byte 0');
      items = items.filter((o) => keyOf(o) > start);
    }
    const rv = String(resourceVersion);
    const meta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = {
      resourceVersion: rv,
    };
    const limit = Number(query.get('limit') ?? 0);
    if (limit > 0 && items.length > limit) {
      const remaining = items.length - limit;
      items = items.slice(0, limit);
      meta.continue = encodeContinue(rv, keyOf(items[items.length - 1]!));
      if (!labelSel && !fieldSel) meta.remainingItemCount = remaining;
    }
    const table = acceptedTableVersion(accept);
    if (table) return ok(renderTable(type.resource, items, meta, table, includeObject(query), clock()));
    const stripped = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    return ok(JSON.stringify({ kind: `${type.kind}List`, apiVersion, metadata: meta, items: stripped }));
  }

  /** Whether an object is in the route's namespace and passes the request's selectors; a 400 for a bad selector. */
  function matcherOf(route: Route, query: URLSearchParams): ((o: KubeObject) => boolean) | SimResponse {
    const labelSel = query.get('labelSelector');
    const fieldSel = query.get('fieldSelector');
    try {
      const reqs = labelSel ? parseLabelSelector(labelSel) : undefined;
      const fields = fieldSel ? fieldMatcher(route.type.resource, parseFieldSelector(fieldSel)) : undefined;
      return (o) =>
        (route.namespace === null || o.metadata.namespace === route.namespace) &&
        (!reqs || matchesLabels(reqs, o.metadata.labels)) &&
        (!fields || fields(o));
    } catch (err) {
      if (err instanceof SelectorError) return badRequest(err.message);
      throw err;
    }
  }

  /**
   * A watch as the apiserver serves it: from `resourceVersion` N the changes after N, from none or "0" an ADDED
   * event per current object, then every change as it happens until the client goes away or `timeoutSeconds`
   * pass. Each event is one JSON line; with a Table Accept its object is a one-row Table, as kubectl -w asks.
   */
  function watch(
    route: Route,
    query: URLSearchParams,
    accept: string | undefined,
    current: KubeObject[],
    matches: (o: KubeObject) => boolean,
  ): SimResponse {
    const table = acceptedTableVersion(accept);
    const event = (type: string, o: KubeObject): string => {
      const object = table
        ? renderTable(
            route.type.resource,
            [o],
            { resourceVersion: o.metadata.resourceVersion ?? '' },
            table,
            includeObject(query),
            clock(),
          )
        : JSON.stringify(o);
      return `{"type":${JSON.stringify(type)},"object":${object}}\n`;
    };
    const from = query.get('resourceVersion');
    let initial: string;
    if (from === null || from === '' || from === '0') {
      initial = current.map((o) => event('ADDED', o)).join('');
    } else {
      const since = live.changesSince(Number(from));
      if (since === undefined) return statusResponse(410, 'Expired', `too old resource version: ${from}`, {});
      initial = since
        .filter((c) => c.resource === route.type.resource && matches(c.object))
        .map((c) => event(c.type, c.object))
        .join('');
    }
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
    const stream: SimStream = (write, end) => {
      const off = live.onChange((c: Change) => {
        if (c.resource === route.type.resource && matches(c.object)) write(event(c.type, c.object));
      });
      const timer = timeoutSeconds > 0 ? setTimeout(end, timeoutSeconds * 1000) : undefined;
      return () => {
        off();
        clearTimeout(timer);
      };
    };
    return { status: 200, contentType: JSON_TYPE, body: initial, stream };
  }

  /**
   * A list that reads generated objects: walked in key order from the continue key, building only what
   * the page needs. Without a limit the whole list is answered, as the real apiserver does. No
   * remainingItemCount here (it would mean building every object to count the ones a selector keeps).
   */
  function listLazily(route: Route, query: URLSearchParams, accept: string | undefined): SimResponse {
    const { type, namespace } = route;
    let matches: (o: KubeObject) => boolean = () => true;
    try {
      const labelSel = query.get('labelSelector');
      const fieldSel = query.get('fieldSelector');
      const reqs = labelSel ? parseLabelSelector(labelSel) : undefined;
      const fields = fieldSel ? fieldMatcher(type.resource, parseFieldSelector(fieldSel)) : undefined;
      matches = (o) => (!reqs || matchesLabels(reqs, o.metadata.labels)) && (!fields || fields(o));
    } catch (err) {
      if (err instanceof SelectorError) return badRequest(err.message);
      throw err;
    }
    let start: string | undefined;
    const token = query.get('continue');
    if (token) {
      start = decodeContinue(token);
      if (start === undefined)
        return badRequest('continue key is not valid: illegal base64 data at input byte 0');
    }
    const limit = Number(query.get('limit') ?? 0);
    const stored = (sorted.get(type.resource) ?? []).filter(
      (o) => namespace === null || o.metadata.namespace === namespace,
    );
    const items: KubeObject[] = [];
    const rv = String(resourceVersion);
    const meta: { resourceVersion: string; continue?: string } = { resourceVersion: rv };
    for (const o of mergedInKeyOrder(stored, generatedFor(type.resource, namespace), start)) {
      if (!matches(o)) continue;
      if (limit > 0 && items.length === limit) {
        meta.continue = encodeContinue(rv, keyOf(items[items.length - 1]!));
        break;
      }
      items.push(o);
    }
    const table = acceptedTableVersion(accept);
    if (table) return ok(renderTable(type.resource, items, meta, table, includeObject(query), clock()));
    const stripped = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    return ok(JSON.stringify({ kind: `${type.kind}List`, apiVersion, metadata: meta, items: stripped }));
  }

  function find(route: Route): KubeObject | undefined {
    const ns = route.namespace ?? undefined;
    for (const g of generatedFor(route.type.resource, route.namespace)) {
      const i = g.indexOf(route.name ?? '');
      if (i >= 0 && g.namespace === ns) return g.at(i);
    }
    return sorted
      .get(route.type.resource)
      ?.find((o) => o.metadata.name === route.name && o.metadata.namespace === ns);
  }

  function get(route: Route, query: URLSearchParams, accept: string | undefined): SimResponse {
    const name = route.name!;
    if (route.subresource === 'log' && route.type.resource === 'pods') {
      const pod = find(route);
      const answer = podLogs(fixtures, pod, route.namespace ?? '', name, query, clock());
      const following = query.get('follow') === 'true' || query.get('follow') === '1';
      return following && answer.status === 200 && pod ? followLogs(live, pod, answer, query) : answer;
    }
    if (route.subresource && route.subresource !== 'status') return resourceNotFound();
    const obj = find(route);
    if (!obj) return notFound(route.type.resource, name, route.type.group);
    const table = acceptedTableVersion(accept);
    if (table) {
      return ok(
        renderTable(
          route.type.resource,
          [obj],
          { resourceVersion: obj.metadata.resourceVersion ?? '' },
          table,
          includeObject(query),
          clock(),
        ),
      );
    }
    return ok(JSON.stringify(obj));
  }

  function handle(method: string, rawPath: string, headers?: SimHeaders): SimResponse {
    const q = rawPath.indexOf('?');
    const path = q === -1 ? rawPath : rawPath.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : rawPath.slice(q + 1));
    const accept = header(headers, 'accept');
    const parts = path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const route = parseResourcePath(parts);
    const verb = WRITE_VERBS[method];

    if (route && route !== 'unknown') {
      const sub = route.subresource ? `${route.type.resource}/${route.subresource}` : route.type.resource;
      if (verb) {
        const v = verb === 'delete' && !route.name ? 'deletecollection' : verb;
        return forbidden(fixtures.user, v, sub, route.type.group, route.namespace, route.name);
      }
      if (route.type.resource === 'secrets') {
        const watching = query.get('watch') === 'true' || query.get('watch') === '1';
        return forbidden(
          fixtures.user,
          route.name ? 'get' : watching ? 'watch' : 'list',
          sub,
          '',
          route.namespace,
          route.name,
        );
      }
      if (route.type.group === METRICS_GROUP) {
        if (route.subresource) return resourceNotFound();
        return metricsResponse(route.type, fixtures.objects, route.namespace, route.name, query, clock());
      }
      return route.name ? get(route, query, accept) : list(route, query, accept);
    }
    if (verb)
      return statusResponse(
        405,
        'MethodNotAllowed',
        `the server does not allow this method on the requested resource`,
        {},
      );
    if (route === 'unknown') return resourceNotFound();
    return nonResource(path, accept);
  }

  function nonResource(path: string, accept: string | undefined): SimResponse {
    switch (path) {
      case '/version':
        return ok(discovery.version);
      case '/healthz':
      case '/readyz':
      case '/livez':
        return ok('ok', 'text/plain; charset=utf-8');
      case '/api':
      case '/apis': {
        const agg = aggregatedVersion(accept);
        if (agg) {
          const body =
            path === '/api'
              ? discovery.aggregatedApi(`apidiscovery.k8s.io/${agg}`)
              : discovery.aggregatedApis(`apidiscovery.k8s.io/${agg}`);
          return ok(body, `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`);
        }
        return ok(path === '/api' ? discovery.api : discovery.apis);
      }
    }
    const doc = discovery.resourceLists.get(path) ?? discovery.groups.get(path) ?? options.openapi?.get(path);
    return doc ? ok(doc) : resourceNotFound();
  }

  return {
    handle,
    fixtures,
    invalidate: () => index(),
    live,
  };
}

/** Stored and generated objects merged in key order, starting after the key `start`. */
function* mergedInKeyOrder(
  stored: readonly KubeObject[],
  sets: readonly GeneratedPods[],
  start: string | undefined,
): Generator<KubeObject> {
  const sources: { key: string; next: () => KubeObject | undefined; head: KubeObject | undefined }[] = [];
  const add = (next: () => KubeObject | undefined) => {
    const head = next();
    if (head) sources.push({ key: keyOf(head), next, head });
  };
  let s = start === undefined ? 0 : stored.findIndex((o) => keyOf(o) > start);
  if (s === -1) s = stored.length;
  add(() => stored[s++]);
  for (const g of sets) {
    // Names are zero-padded, so index order is key order: binary search for the first key after start.
    let lo = 0;
    let hi = g.count;
    while (start !== undefined && lo < hi) {
      const mid = (lo + hi) >> 1;
      if (`${g.namespace}/${g.nameAt(mid)}` > start) hi = mid;
      else lo = mid + 1;
    }
    let i = lo;
    add(() => (i < g.count ? g.at(i++) : undefined));
  }
  while (sources.length > 0) {
    let min = 0;
    for (let k = 1; k < sources.length; k++) if (sources[k]!.key < sources[min]!.key) min = k;
    const source = sources[min]!;
    yield source.head!;
    const head = source.next();
    if (head) {
      source.head = head;
      source.key = keyOf(head);
    } else sources.splice(min, 1);
  }
}

function includeObject(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept?.includes('as=APIGroupDiscoveryList')) return undefined;
  for (const media of accept.split(',')) {
    const params = media.split(';').map((p) => p.trim());
    if (!params.includes('as=APIGroupDiscoveryList') || !params.includes('g=apidiscovery.k8s.io')) continue;
    if (params.includes('v=v2')) return 'v2';
    if (params.includes('v=v2beta1')) return 'v2beta1';
  }
  return undefined;
}
