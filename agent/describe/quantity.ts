// resource.Quantity as kubectl prints it: parsed from the API's string, summed, compared and
// rendered in canonical form (String()), e.g. '0.5' -> '500m', 1536Mi stays '1536Mi', 2000m -> '2'.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** value = mant * 10^exp, exact. */
export interface Quantity {
  mant: bigint;
  exp: number;
  format: QuantityFormat;
}

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

export const ZERO: Quantity = { mant: 0n, exp: 0, format: 'DecimalSI' };

export function parseQuantity(input: unknown): Quantity {
  if (typeof input === 'number') return parseQuantity(String(input));
  if (typeof input !== 'string') return ZERO;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(input.trim());
  if (!m) return ZERO;
  const [, sign = '', int = '', frac = '', suffix = ''] = m;
  let mant = BigInt(`${int}${frac}` || '0');
  if (sign === '-') mant = -mant;
  let exp = -frac.length;
  let format: QuantityFormat = 'DecimalSI';
  if (suffix in BINARY_SUFFIXES) {
    mant *= 1024n ** BigInt(BINARY_SUFFIXES[suffix] as number);
    format = 'BinarySI';
  } else if (suffix in DECIMAL_SUFFIXES) {
    exp += DECIMAL_SUFFIXES[suffix] as number;
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    exp += Number(suffix.slice(1));
    format = 'DecimalExponent';
  }
  return { mant, exp, format };
}

function align(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.mant * 10n ** BigInt(a.exp - exp), b.mant * 10n ** BigInt(b.exp - exp), exp];
}

/** Quantity.Add: the sum keeps the first operand's format unless the first is zero. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  const [x, y, exp] = align(a, b);
  return { mant: x + y, exp, format: a.mant === 0n ? b.format : a.format };
}

/** Decimal digits of |mant| (1 for zero). */
const digits = (mant: bigint): number => (mant < 0n ? -mant : mant).toString().length;

/**
 * Exact, and cheap whatever the exponents: values of different orders of magnitude are ordered
 * without scaling one to the other (`1e999999999` against `1` would build a billion-digit number).
 */
export function cmpQuantity(a: Quantity, b: Quantity): number {
  const sa = a.mant === 0n ? 0 : a.mant < 0n ? -1 : 1;
  const sb = b.mant === 0n ? 0 : b.mant < 0n ? -1 : 1;
  if (sa !== sb || sa === 0) return Math.sign(sa - sb);
  // Same sign, both non-zero: the larger magnitude is further from zero; equal magnitudes align
  // with a power no larger than the mantissas' digits.
  const ma = digits(a.mant) + a.exp;
  const mb = digits(b.mant) + b.exp;
  if (ma !== mb) return ma > mb ? sa : -sa;
  const [x, y] = align(a, b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Past this many decimal digits a value is Infinity as a Number. */
const NUMBER_DIGITS = 310;

function ceilScaled(q: Quantity, scale: number): number {
  const e = q.exp + scale;
  if (q.mant === 0n) return 0;
  // Without building 10^e: too large is Infinity, too small rounds up to 1 (or 0 below zero).
  if (e >= 0 && digits(q.mant) + e > NUMBER_DIGITS) return q.mant > 0n ? Infinity : -Infinity;
  if (e < 0 && -e > digits(q.mant)) return q.mant > 0n ? 1 : 0;
  if (e >= 0) return Number(q.mant * 10n ** BigInt(e));
  const d = 10n ** BigInt(-e);
  const quotient = q.mant / d;
  return Number(q.mant % d > 0n ? quotient + 1n : quotient);
}

/** Quantity.Value(): rounded up to an integer. */
export function quantityValue(q: Quantity): number {
  return ceilScaled(q, 0);
}

/** Quantity.MilliValue(): value * 1000, rounded up. */
export function quantityMilliValue(q: Quantity): number {
  return ceilScaled(q, 3);
}

function removeFactors(value: bigint, base: bigint): [bigint, number] {
  let v = value;
  let times = 0;
  while (v !== 0n && v % base === 0n) {
    v /= base;
    times++;
  }
  return [v, times];
}

/** Quantity.String(): the canonical form. */
export function formatQuantity(q: Quantity): string {
  if (q.mant === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = cmpQuantity(q, parseQuantity('-1024')) > 0 && cmpQuantity(q, parseQuantity('1024')) < 0;
    const integral = q.exp >= 0 || q.mant % 10n ** BigInt(-q.exp) === 0n;
    if (small || !integral) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    const whole = q.exp >= 0 ? q.mant * 10n ** BigInt(q.exp) : q.mant / 10n ** BigInt(-q.exp);
    const [amount, power] = removeFactors(whole, 1024n);
    return `${amount}${BINARY_BY_POWER[power] ?? `*2^${power * 10}`}`;
  }
  let [amount, times] = removeFactors(q.mant, 10n);
  let exp = q.exp + times;
  const rem = ((exp % 3) + 3) % 3;
  amount *= 10n ** BigInt(rem);
  exp -= rem;
  if (format === 'DecimalExponent') return exp === 0 ? `${amount}` : `${amount}e${exp}`;
  const suffix = DECIMAL_BY_EXP.get(exp);
  return suffix === undefined ? `${amount}e${exp}` : `${amount}${suffix}`;
}

/** Canonical form of a quantity string as the API returned it. */
export function canonicalQuantity(s: unknown): string {
  return formatQuantity(parseQuantity(s));
}

export type ResourceList = Record<string, Quantity>;

export function parseResourceList(list: unknown): ResourceList {
  const out: ResourceList = {};
  if (list && typeof list === 'object') {
    for (const [k, v] of Object.entries(list)) out[k] = parseQuantity(v);
  }
  return out;
}

export function addResourceList(into: ResourceList, add: ResourceList): void {
  for (const [k, v] of Object.entries(add)) {
    const cur = into[k];
    into[k] = cur ? addQuantity(cur, v) : { ...v };
  }
}

export function maxResourceList(into: ResourceList, other: ResourceList): void {
  for (const [k, v] of Object.entries(other)) {
    const cur = into[k];
    if (!cur || cmpQuantity(v, cur) > 0) into[k] = { ...v };
  }
}
