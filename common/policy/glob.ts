// Glob lists (`app-*`, `team-?`, `*`) compiled once at policy load into a set plus anchored regexes.

export interface Matcher {
  /** True when the list contains `*`: everything matches. */
  readonly any: boolean;
  readonly exact: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
}

export const GLOB_PATTERN = '^[A-Za-z0-9*?._:@-]+$';

export function compileGlobs(globs: readonly string[]): Matcher {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  let any = false;
  for (const glob of globs) {
    if (glob === '*') any = true;
    else if (!/[*?]/.test(glob)) exact.add(glob);
    else {
      const body = glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replaceAll('*', '.*')
        .replaceAll('?', '.');
      patterns.push(new RegExp(`^${body}$`));
    }
  }
  return { any, exact, patterns };
}

export function matches(matcher: Matcher, value: string): boolean {
  if (matcher.any || matcher.exact.has(value)) return true;
  for (const re of matcher.patterns) if (re.test(value)) return true;
  return false;
}

export function isEmpty(matcher: Matcher): boolean {
  return !matcher.any && matcher.exact.size === 0 && matcher.patterns.length === 0;
}

export const MATCH_ALL: Matcher = compileGlobs(['*']);
export const MATCH_NONE: Matcher = compileGlobs([]);
