// kubectl explain: the resource's preferred version from discovery, its group-version document from
// /openapi/v3 (both cached), then kubectl 1.32's plaintext template (explain-template.ts).

import type { Command } from '../../common/command/types.js';
import { getJson, type VerbContext, type VerbResult } from './context.js';
import { serverPreferredResources } from './discovery.js';
import { renderExplain } from './explain-template.js';

interface OpenApiIndex {
  paths?: Record<string, { serverRelativeURL?: string }>;
}

export async function runExplain(ctx: VerbContext, command: Command): Promise<VerbResult> {
  const target = command.targets[0];
  if (!target) return { output: '', error: 'error: You must specify the type of resource to explain.' };
  const discovered = (await serverPreferredResources(ctx)).find(
    (r) => r.group === target.group && r.resource.name === target.resource,
  );
  if (!discovered)
    return { output: '', error: `the server doesn't have a resource type "${target.resource}"` };
  const version = discovered.groupVersion.split('/').at(-1) ?? '';
  const gvr = { group: target.group, version, resource: target.resource };

  const index = await ctx.cache.get('openapi:v3', () => getJson<OpenApiIndex>(ctx, '/openapi/v3'));
  const gvPath = target.group ? `apis/${target.group}/${version}` : `api/${version}`;
  const url = index.paths?.[gvPath]?.serverRelativeURL;
  if (url === undefined) {
    const gvrText = `${gvr.group}/${gvr.version}, Resource=${gvr.resource}`;
    return { output: '', error: `error: couldn't find resource for "${gvrText}"` };
  }
  // Keyed by group version, not by the hashed URL: a changed document then replaces the old one
  // when it expires instead of both staying in the cache.
  const document = await ctx.cache.get(`openapi:${gvPath}`, () => fetchDocument(ctx, url));
  return renderExplain({
    document,
    gvr,
    fieldPath: command.fieldPath ? command.fieldPath.split('.') : [],
    recursive: command.flags.recursive === true,
  });
}

function fetchDocument(ctx: VerbContext, serverRelativeUrl: string): Promise<Record<string, unknown>> {
  const url = new URL(serverRelativeUrl, 'http://apiserver');
  return getJson<Record<string, unknown>>(ctx, url.pathname, Object.fromEntries(url.searchParams));
}
