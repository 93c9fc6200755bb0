// metav1.Status bodies exactly as the apiserver writes them (field order included), so clients
// decode the same reason, code and details they would get from a real cluster.

import type { SimResponse } from './types.js';

export const JSON_TYPE = 'application/json';

export function statusResponse(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): SimResponse {
  const body = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
  return { status: code, contentType: JSON_TYPE, body: JSON.stringify(body) };
}

export function notFound(resource: string, name: string, group = ''): SimResponse {
  const plural = group ? `${resource}.${group}` : resource;
  return statusResponse(404, 'NotFound', `${plural} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });
}

export function resourceNotFound(): SimResponse {
  return statusResponse(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function badRequest(message: string): SimResponse {
  return statusResponse(400, 'BadRequest', message);
}

/** The RBAC denial: what a real apiserver answers a ServiceAccount that lacks the verb. */
export function forbidden(
  user: string,
  verb: string,
  resource: string,
  group: string,
  namespace: string | null,
  name?: string,
): SimResponse {
  const subject = name
    ? `${resource}${group ? `.${group}` : ''} "${name}"`
    : `${resource}${group ? `.${group}` : ''}`;
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const message = `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`;
  const kind = resource.split('/')[0] ?? resource;
  return statusResponse(403, 'Forbidden', message, {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    kind,
  });
}
