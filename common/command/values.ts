// Validators for flag values and object names. Each regex is built once here, never per call.

import { parseGoDuration } from '../duration.js';
import { KubentlyError } from '../errors.js';

export function invalid(message: string, rule: string, token: string): never {
  throw new KubentlyError('invalid_command', message, { details: { token, rule } });
}

export function forbidden(message: string, rule: string, token: string): never {
  throw new KubentlyError('unauthorized_command', message, { details: { token, rule } });
}

/** DNS-1123 label: namespaces and container names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** DNS-1123 subdomain: API groups. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Object names: DNS-1123 subdomains plus ':' (RBAC names such as system:node). */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.:]{0,251}[a-z0-9])?$/;
/** Label selectors: keys, values, =, ==, !=, !, in/notin lists. No quotes, $, ;, |, &, <, >, backtick. */
const LABEL_SELECTOR = /^[A-Za-z0-9._/=!,() -]+$/;
const FIELD_SELECTOR = /^[A-Za-z0-9._/=!,:-]+$/;
/**
 * A field path as --sort-by takes it (client-go JSONPath without filters, unions, slices or recursion):
 * fields of [A-Za-z0-9_/-] and escaped dots (`.metadata.labels.app\.kubernetes\.io/name`, label keys
 * with `-`), `[N]`, `[*]`, `['key']` and `["key"]`, at most 512 characters.
 */
const SORT_FIELD = String.raw`(?:[A-Za-z0-9_/-]|\\\.)+`;
const SORT_KEY = '[A-Za-z0-9._/-]+';
const SORT_STEP = String.raw`\.${SORT_FIELD}|\[(?:[0-9]{1,4}|\*|'${SORT_KEY}'|"${SORT_KEY}")\]`;
const SORT_PATH = new RegExp(`^(?=.{1,512}$)\\.?${SORT_FIELD}(?:${SORT_STEP})*$`);
const UNSIGNED = /^[0-9]{1,9}$/;
const FIELD_PATH = /^[A-Za-z][A-Za-z0-9]{0,62}(\.[A-Za-z][A-Za-z0-9]{0,62}){0,15}$/;

export function checkNamespace(value: string, token: string): string {
  if (!DNS_LABEL.test(value))
    invalid(`namespace "${value}" is not a DNS-1123 label`, 'invalid_namespace', token);
  return value;
}

export function checkObjectName(value: string, token: string): string {
  if (!OBJECT_NAME.test(value)) invalid(`"${value}" is not a valid object name`, 'invalid_name', token);
  return value;
}

export function checkContainer(value: string, token: string): string {
  if (!DNS_LABEL.test(value))
    invalid(`container "${value}" is not a DNS-1123 label`, 'invalid_flag_value', token);
  return value;
}

export function checkLabelSelector(value: string, token: string): string {
  if (value.trim() === '' || !LABEL_SELECTOR.test(value)) {
    invalid(
      `label selector "${value}" has characters outside [A-Za-z0-9._/=!,() -]`,
      'invalid_selector',
      token,
    );
  }
  return value;
}

export function checkFieldSelector(value: string, token: string): string {
  if (!FIELD_SELECTOR.test(value)) {
    invalid(
      `field selector "${value}" has characters outside [A-Za-z0-9._/=!,:-]`,
      'invalid_selector',
      token,
    );
  }
  return value;
}

/** Returns the path in its canonical `.a.b` form. */
export function checkSortBy(value: string, token: string): string {
  const braced = value.startsWith('{') && value.endsWith('}');
  const inner = braced ? value.slice(1, -1) : value;
  if (!SORT_PATH.test(inner))
    invalid(`--sort-by "${value}" is not a plain field path`, 'invalid_flag_value', token);
  return inner.startsWith('.') ? inner : `.${inner}`;
}

/** kubectl top's --sort-by: cpu or memory only (its own message otherwise). */
export function checkTopSortBy(value: string, token: string): string {
  if (value !== 'cpu' && value !== 'memory')
    invalid('--sort-by accepts only cpu or memory', 'invalid_flag_value', token);
  return value;
}

/** A Go duration (kubectl parses --since with time.ParseDuration), in whole seconds rounded as kubectl does. */
export function checkDuration(value: string, token: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined)
    invalid(`"${value}" is not a duration like 90s, 5m or 1h30m`, 'invalid_flag_value', token);
  // kubectl logs: int64(SinceSeconds.Round(time.Second).Seconds()); 0 would mean "all logs", so refuse it.
  const seconds = Math.round(ms / 1000);
  if (seconds <= 0) invalid('a duration must be more than 0s', 'invalid_flag_value', token);
  return seconds;
}

export function checkUnsigned(value: string, token: string, min: number, max: number): number {
  const n = UNSIGNED.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max)) {
    invalid(`"${value}" must be an integer from ${min} to ${max}`, 'invalid_flag_value', token);
  }
  return n;
}

export function checkApiGroup(value: string, token: string): string {
  if (value !== '' && !DNS_SUBDOMAIN.test(value)) {
    invalid(`API group "${value}" is not a DNS-1123 subdomain`, 'invalid_flag_value', token);
  }
  return value;
}

export function checkFieldPath(value: string, token: string): string {
  if (!FIELD_PATH.test(value))
    invalid(`"${value}" is not a field path like spec.containers`, 'invalid_field_path', token);
  return value;
}
