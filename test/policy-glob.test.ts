// Glob matching (common/policy/glob.ts) against the anchored regex it replaced, on every glob and value over a
// small alphabet, and in linear time on globs built to make a backtracking matcher explode.

import test from 'ava';
import { compileGlobs, globMatches, matches } from '../common/policy/glob.js';

/** The regex a glob once compiled to: `*` is `.*`, `?` is `.`, the rest literal, anchored at both ends. */
function regexOf(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${body}$`);
}

/** Every string of length 0..max over `alphabet`. */
function* strings(alphabet: string, max: number): Generator<string> {
  yield '';
  let level = [''];
  for (let n = 1; n <= max; n++) {
    const next: string[] = [];
    for (const prefix of level) for (const c of alphabet) next.push(prefix + c);
    yield* next;
    level = next;
  }
}

test('glob - answers as the anchored regex did for every glob and value over a small alphabet', (t) => {
  const globs = [...strings('a.*?', 4)];
  const values = [...strings('a.b', 4), 'a\nb', 'a\r', '\u2028', 'aa\u2029a'];
  let compared = 0;
  for (const glob of globs) {
    const re = regexOf(glob);
    for (const value of values) {
      if (globMatches(glob, value) !== re.test(value))
        t.fail(`${JSON.stringify(glob)} on ${JSON.stringify(value)}`);
      compared++;
    }
  }
  t.true(compared > 10_000, String(compared));
});

test('glob - globs built to backtrack still answer, and right', (t) => {
  const value = `${'a-'.repeat(31)}b`; // 63 characters
  const m = compileGlobs([`${'?*'.repeat(31)}z`, `${'*a'.repeat(31)}*c`]);
  t.false(matches(m, value));
  t.true(globMatches(`${'?*'.repeat(31)}b`, value));
  t.true(globMatches(`${'*a'.repeat(31)}*b`, value));
  t.true(matches(compileGlobs(['*']), 'x\ny'), 'a lone * still matches everything');
});
