// The exclude globs as .gitignore lines (the `ignore` package), on paths relative to a source.
import { describe, expect, it } from 'vitest';
import { excludeMatcher } from '../../src-main/authoring/excludes.ts';

describe('excludeMatcher', () => {
  it('matches a name without a slash at any depth, and a trailing slash only folders', () => {
    const matcher = excludeMatcher(['*.tmp', 'build/']);
    expect(matcher.excludes('a.tmp', false)).toBe(true);
    expect(matcher.excludes('deep/er/a.tmp', false)).toBe(true);
    expect(matcher.excludes('a.tmpl', false)).toBe(false);
    expect(matcher.excludes('src/build', true)).toBe(true);
    expect(matcher.excludes('src/build', false)).toBe(false);
  });

  it('anchors a glob with a leading slash at the source, follows ** across folders, and takes a path back with !', () => {
    const matcher = excludeMatcher(['/top.txt', '**/.git', 'logs/**/*.log', '*.cfg', '!keep.cfg']);
    expect(matcher.excludes('top.txt', false)).toBe(true);
    expect(matcher.excludes('sub/top.txt', false)).toBe(false);
    expect(matcher.excludes('a/b/.git', true)).toBe(true);
    expect(matcher.excludes('logs/2026/12/boot.log', false)).toBe(true);
    expect(matcher.excludes('other/boot.log', false)).toBe(false);
    expect(matcher.excludes('grub.cfg', false)).toBe(true);
    expect(matcher.excludes('isolinux/keep.cfg', false)).toBe(false);
  });

  it('tests names made only of dots and names with control characters like any other', () => {
    const matcher = excludeMatcher(['...', 'tab\there']);
    expect(matcher.excludes('...', false)).toBe(true);
    expect(matcher.excludes('sub/...', false)).toBe(true);
    expect(matcher.excludes('tab\there', false)).toBe(true);
    expect(matcher.excludes('....', false)).toBe(false);
  });

  it('excludes nothing without globs', () => {
    expect(excludeMatcher([]).excludes('anything', true)).toBe(false);
  });
});
