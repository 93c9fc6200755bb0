// Defense in depth for what the agent prints. The policy never lets a command read Secrets, but
// objects of other kinds can still carry secret material: a Secret inside a List, a Secret's data
// kept in the last-applied-configuration annotation, a token someone put in an annotation.
// References (env valueFrom.secretKeyRef, volumes' secretName) are names, not values: they stay.

export const REDACTED = '[redacted by kubently]';

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
const sensitiveKey =
  /(^|[./_-])(token|password|passwd|secret|api[-_]?key|private[-_]?key|credentials?)([./_-]|$)/i;
const jwt = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const pemKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Redacts `value` in place (the agent's own freshly parsed copy) and returns it. */
export function redactObject<T>(value: T): T {
  if (!isObject(value)) return value;
  if (Array.isArray(value.items)) for (const item of value.items) redactObject(item);
  if (value.kind === 'Secret') redactSecretData(value);
  const metadata = value.metadata;
  if (isObject(metadata) && isObject(metadata.annotations)) redactAnnotations(metadata.annotations);
  return value;
}

function redactSecretData(secret: Json): void {
  for (const field of ['data', 'stringData'] as const) {
    const data = secret[field];
    if (isObject(data)) for (const key of Object.keys(data)) data[key] = REDACTED;
  }
}

function redactAnnotations(annotations: Json): void {
  for (const [key, value] of Object.entries(annotations)) {
    if (typeof value !== 'string') continue;
    if (key === lastApplied) {
      annotations[key] = redactLastApplied(value);
    } else if (sensitiveKey.test(key)) {
      annotations[key] = REDACTED;
    } else {
      annotations[key] = redactTokens(value);
    }
  }
}

/** Tokens and private keys found inside free text are replaced; the rest of the text stays. */
export function redactTokens(text: string): string {
  return text.replace(jwt, REDACTED).replace(pemKey, REDACTED);
}

function redactLastApplied(text: string): string {
  let applied: unknown;
  try {
    applied = JSON.parse(text);
  } catch {
    return redactTokens(text);
  }
  if (!isObject(applied)) return text;
  const before = JSON.stringify(applied);
  redactObject(applied);
  const after = JSON.stringify(applied);
  // Unchanged: keep the exact original text (kubectl prints it as stored, with its trailing newline).
  return after === before ? text : `${after}\n`;
}
