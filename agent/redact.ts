// Defense in depth for what the agent prints. The policy never lets a command read Secrets, but
// objects of other kinds can still carry secret material: a Secret inside a List, a Secret's data
// kept in the last-applied-configuration annotation, a token someone put in an annotation.
// References (env valueFrom.secretKeyRef, volumes' secretName) are names, not values: they stay.
// Containers' literal env values named like credentials, and JWT- or PEM-shaped env values and
// command/args, are replaced too. Every printer receives objects that went through redactObject.

export const REDACTED = '[redacted by kubently]';

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
const sensitiveKey =
  /(^|[./_-])(token|password|passwd|secret|api[-_]?key|private[-_]?key|credentials?)([./_-]|$)/i;
/** Base64url parts joined by dots, each run whole: every JWT lies inside one. */
const dottedRun = /[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)+/g;
const pemKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;
/** Any PEM block (a key, or a certificate someone pasted into an env value or an argument). */
const pemBlock = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
/** Env names like API_TOKEN, DB_PASSWORD, CLIENT_SECRET, STRIPE_KEY, AWS_CREDENTIALS. */
const credentialEnvName = /(^|[_.-])(token|password|passwd|secret|key|apikey|credentials?)$/i;
/** `--db-password=x`, `--token=x`: an argument that sets a credential-named flag inline. */
const credentialFlag =
  /^(--?[A-Za-z0-9_.-]*(token|password|passwd|secret|api[-_]?key|private[-_]?key|credentials?))=(.+)$/is;
const containerLists = ['containers', 'initContainers', 'ephemeralContainers'] as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Lists inside lists this deep are not an apiserver's answer but text someone wrote (a
 * last-applied-configuration annotation, a custom resource's `items`): past it the items are replaced
 * whole, so 20 000 nested `{"items":[...]}` in one annotation cannot overflow the stack and fail every
 * command that reads the object.
 */
const MAX_LIST_DEPTH = 16;

/** Redacts `value` in place (the agent's own freshly parsed copy) and returns it. */
export function redactObject<T>(value: T): T {
  return redactNested(value, 0);
}

function redactNested<T>(value: T, depth: number): T {
  if (!isObject(value)) return value;
  const object: Json = value;
  if (Array.isArray(object.items)) {
    if (depth >= MAX_LIST_DEPTH) object.items = REDACTED;
    else for (const item of object.items) redactNested(item, depth + 1);
  }
  if (value.kind === 'Secret') redactSecretData(value);
  const metadata = value.metadata;
  if (isObject(metadata) && isObject(metadata.annotations)) redactAnnotations(metadata.annotations);
  if (isObject(value.spec)) redactContainersIn(value.spec, 0);
  return value;
}

/**
 * Finds container lists anywhere in a spec (a pod's, a workload's pod template, a CronJob's job
 * template) and redacts each container's env and command line, and the templates' own annotations as
 * an object's. `depth` bounds the walk.
 */
function redactContainersIn(node: Json, depth: number): void {
  if (depth > 6) return;
  for (const [key, child] of Object.entries(node)) {
    if ((containerLists as readonly string[]).includes(key) && Array.isArray(child)) {
      for (const container of child) if (isObject(container)) redactContainer(container);
    } else if (key === 'metadata' && isObject(child)) {
      if (isObject(child.annotations)) redactAnnotations(child.annotations);
    } else if (isObject(child)) {
      redactContainersIn(child, depth + 1);
    }
  }
}

function redactContainer(container: Json): void {
  if (Array.isArray(container.env)) {
    for (const env of container.env) {
      if (!isObject(env) || typeof env.value !== 'string' || env.value === '') continue;
      env.value =
        typeof env.name === 'string' && credentialEnvName.test(env.name)
          ? REDACTED
          : redactCredentialText(env.value);
    }
  }
  for (const field of ['command', 'args'] as const) {
    const list = container[field];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const arg = list[i];
      if (typeof arg !== 'string') continue;
      const flag = credentialFlag.exec(arg);
      list[i] = flag ? `${flag[1]}=${REDACTED}` : redactCredentialText(arg);
    }
  }
}

/** JWTs and PEM blocks inside a value; the rest of the text stays. */
function redactCredentialText(text: string): string {
  return redactJwts(text).replace(pemBlock, REDACTED);
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

/**
 * What `/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\/g` replaces, in linear time: that regex,
 * tried at every `eyJ` of a long run without the dots it needs, costs the run's length each time (a
 * 256 KiB annotation of `eyJeyJ...` held the agent for tens of seconds). Within a run split at its dots,
 * a token starts at the first `eyJ` of a part with 8 or more characters after it, needs a next part of
 * 8 or more and one more part, and ends with that part.
 */
function redactJwts(text: string): string {
  return text.replace(dottedRun, (run) => {
    if (!run.includes('eyJ')) return run;
    const parts = run.split('.');
    const out: string[] = [];
    for (let i = 0; i < parts.length; ) {
      const part = parts[i] as string;
      const start = part.indexOf('eyJ');
      if (
        start >= 0 &&
        part.length - start >= 11 &&
        i + 2 < parts.length &&
        (parts[i + 1] as string).length >= 8
      ) {
        out.push(`${part.slice(0, start)}${REDACTED}`);
        i += 3;
      } else {
        out.push(part);
        i++;
      }
    }
    return out.join('.');
  });
}

/** Tokens and private keys found inside free text are replaced; the rest of the text stays. */
export function redactTokens(text: string): string {
  return redactJwts(text).replace(pemKey, REDACTED);
}

function redactLastApplied(text: string): string {
  let applied: unknown;
  try {
    applied = JSON.parse(text);
  } catch {
    return redactTokens(text);
  }
  if (!isObject(applied)) return text;
  try {
    const before = JSON.stringify(applied);
    redactObject(applied);
    const after = JSON.stringify(applied);
    // Unchanged: keep the exact original text (kubectl prints it as stored, with its trailing newline).
    return after === before ? text : `${after}\n`;
  } catch {
    // Nested too deep to write out again (a RangeError): none of it is shown.
    return REDACTED;
  }
}
