// Glob lists (`app-*`, `team-?`, `*`) compiled once into a set plus the globs with wildcards, matched in
// linear time: callers send globs too (POST /fleet/execute's selectors), and a backtracking regex for
// `?*?*?*…z` takes minutes on one 40-character cluster id, blocking the gateway.

export interface Matcher {
  /** True when the list contains `*`: everything matches. */
  readonly any: boolean;
  readonly exact: ReadonlySet<string>;
  /** The globs with `*` or `?`. */
  readonly patterns: readonly string[];
}

/** What the anchored regexes these globs once were never let `*` or `?` cover (their `.`). */
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * Whether `value` matches `glob` (`*` any run, `?` one character, anything else itself), in at most
 * glob × value steps: on a mismatch only the last `*` takes one more character (the classic wildcard match).
 * Globs hold no line terminators (GLOB_PATTERN), and wildcards do not cover them, so a value with one never
 * matches.
 */
export function globMatches(glob: string, value: string): boolean {
  if (LINE_TERMINATOR.test(value)) return false;
  let g = 0;
  let v = 0;
  let star = -1;
  let taken = 0;
  while (v < value.length) {
    if (glob[g] === '*') {
      star = g++;
      taken = v;
    } else if (g < glob.length && (glob[g] === '?' || glob[g] === value[v])) {
      g++;
      v++;
    } else if (star >= 0) {
      g = star + 1;
      v = ++taken;
    } else return false;
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

export const GLOB_PATTERN = '^[A-Za-z0-9*?._:@-]+$';

export function compileGlobs(globs: readonly string[]): Matcher {
  const exact = new Set<string>();
  const patterns: string[] = [];
  let any = false;
  for (const glob of globs) {
    if (glob === '*') any = true;
    else if (!/[*?]/.test(glob)) exact.add(glob);
    else patterns.push(glob);
  }
  return { any, exact, patterns };
}

export function matches(matcher: Matcher, value: string): boolean {
  if (matcher.any || matcher.exact.has(value)) return true;
  for (const glob of matcher.patterns) if (globMatches(glob, value)) return true;
  return false;
}

export function isEmpty(matcher: Matcher): boolean {
  return !matcher.any && matcher.exact.size === 0 && matcher.patterns.length === 0;
}

export const MATCH_ALL: Matcher = compileGlobs(['*']);
export const MATCH_NONE: Matcher = compileGlobs([]);
