// Service, Endpoints and Ingress describers.

import type { Endpoints, Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressBackend, IngressSpec } from 'kubernetes-types/networking/v1.js';
import { type DescribeContext, getObject, nsPath } from './context.js';
import { describeEvents, searchEvents } from './events.js';
import {
  formatLabels,
  printAnnotationsMultiline,
  printLabelsMultiline,
  type Stored,
  sortStrings,
} from './format.js';
import { errorText } from './kube-reader.js';
import { LEVEL_0, LEVEL_1, LEVEL_2, tabbed } from './prefix-writer.js';

// kubectl dereferences the port unchecked; a missing one prints as JavaScript would, never as 0.
function joinHostPort(host: string, port: number | undefined): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * formatEndpointSlices: ready endpoints as 'ip:port', at most three then '+ N more...';
 * ports==null means all ports. An endpoint with no ready condition counts as ready.
 */
export function formatEndpointSlices(slices: EndpointSlice[], ports: Set<string> | null): string {
  if (slices.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  const isReady = (e: Endpoint) =>
    e.conditions?.ready === undefined || e.conditions?.ready === null || e.conditions.ready === true;
  for (const slice of slices) {
    const endpoints = slice.endpoints ?? [];
    if ((slice.ports ?? []).length === 0) {
      for (const e of endpoints) {
        if (list.length === max) more = true;
        if (!isReady(e)) continue;
        if (!more) list.push(e.addresses?.[0] ?? '');
        count++;
      }
    } else {
      for (const port of slice.ports ?? []) {
        if (ports !== null && !ports.has(port.name ?? '')) continue;
        for (const e of endpoints) {
          if (list.length === max) more = true;
          if (!isReady(e)) continue;
          if (!more) list.push(joinHostPort(e.addresses?.[0] ?? '', port.port));
          count++;
        }
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

/** The EndpointSlices of a service, as kubectl reads them (one list, no chunking). */
async function slicesOf(ctx: DescribeContext, ns: string, service: string): Promise<EndpointSlice[]> {
  const list = await ctx.reader.getJson<{ items?: EndpointSlice[] } | null>(
    `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/endpointslices`,
    { labelSelector: `kubernetes.io/service-name=${service}` },
    ctx.signal,
  );
  return list?.items ?? [];
}

export async function describeService(ctx: DescribeContext, svc: Stored<Service>): Promise<string> {
  const ns = svc.metadata.namespace ?? '';
  const [endpoints, events] = await Promise.all([
    // kubectl ignores a failed read here and shows '<none>'.
    slicesOf(ctx, ns, svc.metadata.name).catch((err) => {
      if (ctx.signal.aborted) throw err;
      return [] as EndpointSlice[];
    }),
    searchEvents(ctx, { name: svc.metadata.name, namespace: ns, kind: 'Service', uid: svc.metadata.uid }),
  ]);
  const spec: ServiceSpec = svc.spec ?? {};
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${svc.metadata.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${ns}\n`);
    printLabelsMultiline(w, 'Labels', svc.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', svc.metadata.annotations);
    w.write(LEVEL_0, `Selector:\t${formatLabels(spec.selector)}\n`);
    w.write(LEVEL_0, `Type:\t${spec.type ?? ''}\n`);
    if (spec.ipFamilyPolicy) w.write(LEVEL_0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
    w.write(
      LEVEL_0,
      `IP Families:\t${(spec.ipFamilies ?? []).length > 0 ? spec.ipFamilies?.join(',') : '<none>'}\n`,
    );
    w.write(LEVEL_0, `IP:\t${spec.clusterIP ?? ''}\n`);
    w.write(LEVEL_0, `IPs:\t${(spec.clusterIPs ?? []).length > 0 ? spec.clusterIPs?.join(',') : '<none>'}\n`);
    if ((spec.externalIPs ?? []).length > 0)
      w.write(LEVEL_0, `External IPs:\t${spec.externalIPs?.join(',')}\n`);
    if (spec.loadBalancerIP) w.write(LEVEL_0, `Desired LoadBalancer IP:\t${spec.loadBalancerIP}\n`);
    if (spec.externalName) w.write(LEVEL_0, `External Name:\t${spec.externalName}\n`);
    const ingress = svc.status?.loadBalancer?.ingress ?? [];
    if (ingress.length > 0) {
      const list = ingress
        .map((i) => (i.ip ? `${i.ip}${i.ipMode ? ` (${i.ipMode})` : ''}` : (i.hostname ?? '')))
        .join(', ');
      w.write(LEVEL_0, `LoadBalancer Ingress:\t${list}\n`);
    }
    for (const sp of spec.ports ?? []) {
      const name = sp.name || '<unset>';
      w.write(LEVEL_0, `Port:\t${name}\t${sp.port}/${sp.protocol ?? ''}\n`);
      w.write(LEVEL_0, `TargetPort:\t${sp.targetPort ?? 0}/${sp.protocol ?? ''}\n`);
      if (sp.nodePort) w.write(LEVEL_0, `NodePort:\t${name}\t${sp.nodePort}/${sp.protocol ?? ''}\n`);
      w.write(LEVEL_0, `Endpoints:\t${formatEndpointSlices(endpoints, new Set([sp.name ?? '']))}\n`);
    }
    w.write(LEVEL_0, `Session Affinity:\t${spec.sessionAffinity ?? ''}\n`);
    if (spec.externalTrafficPolicy)
      w.write(LEVEL_0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
    if (spec.internalTrafficPolicy)
      w.write(LEVEL_0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
    if (spec.healthCheckNodePort) w.write(LEVEL_0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
    if ((spec.loadBalancerSourceRanges ?? []).length > 0) {
      w.write(LEVEL_0, `LoadBalancer Source Ranges:\t${spec.loadBalancerSourceRanges?.join(',')}\n`);
    }
    if (spec.trafficDistribution) w.write(LEVEL_0, `Traffic Distribution:\t${spec.trafficDistribution}\n`);
    describeEvents(events, w, ctx.now);
  });
}

export async function describeEndpoints(ctx: DescribeContext, ep: Stored<Endpoints>): Promise<string> {
  const ns = ep.metadata.namespace ?? '';
  const events = await searchEvents(ctx, {
    name: ep.metadata.name,
    namespace: ns,
    kind: 'Endpoints',
    uid: ep.metadata.uid,
  });
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${ep.metadata.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${ns}\n`);
    printLabelsMultiline(w, 'Labels', ep.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', ep.metadata.annotations);
    w.write(LEVEL_0, 'Subsets:\n');
    for (const ss of ep.subsets ?? []) {
      const ready = (ss.addresses ?? []).map((a) => a.ip).join(',');
      w.write(LEVEL_1, `Addresses:\t${ready || '<none>'}\n`);
      const notReady = (ss.notReadyAddresses ?? []).map((a) => a.ip).join(',');
      w.write(LEVEL_1, `NotReadyAddresses:\t${notReady || '<none>'}\n`);
      if ((ss.ports ?? []).length > 0) {
        w.write(LEVEL_1, 'Ports:\n');
        w.write(LEVEL_2, 'Name\tPort\tProtocol\n');
        w.write(LEVEL_2, '----\t----\t--------\n');
        for (const p of ss.ports ?? [])
          w.write(LEVEL_2, `${p.name || '<unset>'}\t${p.port}\t${p.protocol ?? ''}\n`);
      }
      w.write(LEVEL_0, '\n');
    }
    describeEvents(events, w, ctx.now);
  });
}

/** describeBackendV1: 'svc:port (endpoints)' read from the service's EndpointSlices and the Service. */
async function describeBackend(
  ctx: DescribeContext,
  ns: string,
  backend: IngressBackend | undefined,
): Promise<string> {
  if (backend?.service) {
    const s = backend.service;
    const sb = `${s.name}:${s.port?.number ? s.port.number : (s.port?.name ?? '')}`;
    try {
      const slices = await slicesOf(ctx, ns, s.name);
      const service = await getObject<Service>(ctx, nsPath(ns, `services/${encodeURIComponent(s.name)}`));
      let spName = '';
      for (const sp of service.spec?.ports ?? []) {
        if (s.port?.number && s.port.number === sp.port) spName = sp.name ?? '';
        else if (s.port?.name && s.port.name === sp.name) spName = sp.name ?? '';
      }
      return `${sb} (${formatEndpointSlices(slices, new Set([spName]))})`;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      return `${sb} (<error: ${errorText(err)}>)`;
    }
  }
  if (backend?.resource) {
    const r = backend.resource;
    return `APIGroup: ${r.apiGroup ?? '<none>'}, Kind: ${r.kind}, Name: ${r.name}`;
  }
  return '';
}

export async function describeIngress(ctx: DescribeContext, ing: Stored<Ingress>): Promise<string> {
  const ns = ing.metadata.namespace ?? '';
  const spec: IngressSpec = ing.spec ?? {};
  const rules = (spec.rules ?? []).filter((r) => r.http);
  const [events, defaultBackend, paths] = await Promise.all([
    searchEvents(ctx, { name: ing.metadata.name, namespace: ns, kind: 'Ingress', uid: ing.metadata.uid }),
    spec.defaultBackend ? describeBackend(ctx, ns, spec.defaultBackend) : Promise.resolve('<default>'),
    Promise.all(
      rules.map((r) => Promise.all((r.http?.paths ?? []).map((p) => describeBackend(ctx, ns, p.backend)))),
    ),
  ]);
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${ing.metadata.name}\n`);
    printLabelsMultiline(w, 'Labels', ing.metadata.labels);
    w.write(LEVEL_0, `Namespace:\t${ns}\n`);
    const addresses = new Set<string>();
    for (const i of ing.status?.loadBalancer?.ingress ?? []) {
      if (i.ip) addresses.add(i.ip);
      else if (i.hostname) addresses.add(i.hostname);
    }
    w.write(LEVEL_0, `Address:\t${sortStrings([...addresses]).join(',')}\n`);
    w.write(LEVEL_0, `Ingress Class:\t${spec.ingressClassName ?? '<none>'}\n`);
    w.write(LEVEL_0, `Default backend:\t${defaultBackend}\n`);
    if ((spec.tls ?? []).length > 0) {
      w.write(LEVEL_0, 'TLS:\n');
      for (const t of spec.tls ?? []) {
        const hosts = (t.hosts ?? []).join(',');
        // Only the secret's name: describe never reads the Secret.
        w.write(LEVEL_1, t.secretName ? `${t.secretName} terminates ${hosts}\n` : `SNI routes ${hosts}\n`);
      }
    }
    w.write(LEVEL_0, 'Rules:\n  Host\tPath\tBackends\n');
    w.write(LEVEL_1, '----\t----\t--------\n');
    rules.forEach((r, i) => {
      w.write(LEVEL_1, `${r.host || '*'}\t\n`);
      (r.http?.paths ?? []).forEach((p, j) => {
        w.write(LEVEL_2, `\t${p.path ?? ''} \t${paths[i]?.[j] ?? ''}\n`);
      });
    });
    if (rules.length === 0) w.write(LEVEL_1, `*\t*\t${defaultBackend}\n`);
    printAnnotationsMultiline(w, 'Annotations', ing.metadata.annotations);
    describeEvents(events, w, ctx.now);
  });
}
