// What an image search matches (`image:search`, shared/image.ts ImageSearchRequest): a glob when the
// pattern holds `*`, `?` or `[`, else a case-insensitive part of the name. A pattern with a `/` is
// matched against the whole path instead of the name. Case never matters: ISO 9660 names are upper
// case while Joliet and Rock Ridge keep the author's, and a user searching for "readme" means both.
//
// The names come from an untrusted image, so the matcher never backtracks without bound: a
// component is matched by the classic two-pointer star algorithm (at most name length x pattern
// length steps, no exponential blow-up of `*a*a*a*b` against "aaaa…"), and `**` components by a
// table over path components (pattern components x path components cells).

/** A compiled pattern: true when an entry with this name and path matches. */
export type NameMatcher = (name: string, path: string) => boolean;

/** One element of a glob component: a literal character, `?`, `*` or a bracket class. */
type GlobToken =
  | { readonly kind: 'char'; readonly char: string }
  | { readonly kind: 'any-one' }
  | { readonly kind: 'star' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: readonly (readonly [string, string])[] };

/** A path component of a glob: its tokens, or `**` (any number of whole components). */
type GlobComponent = readonly GlobToken[] | 'any-components';

export function isGlobPattern(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

export function compileNamePattern(pattern: string): NameMatcher {
  const lowered = pattern.toLowerCase();
  const byPath = lowered.includes('/');
  if (!isGlobPattern(lowered)) {
    return byPath ? (_name, path) => path.toLowerCase().includes(lowered) : (name) => name.toLowerCase().includes(lowered);
  }
  if (!byPath) {
    const tokens = parseGlobComponent(lowered);
    return (name) => matchComponent(tokens, name.toLowerCase());
  }
  // Anchored at the root, whether or not the pattern starts with `/`: "boot/*.cfg" is /boot/*.cfg.
  const components = splitComponents(lowered).map((part): GlobComponent => (part === '**' ? 'any-components' : parseGlobComponent(part)));
  return (_name, path) => matchComponents(components, splitComponents(path.toLowerCase()));
}

function splitComponents(path: string): string[] {
  return path.split('/').filter((part) => part.length > 0);
}

/** `[…]` is a class (`!` or `^` first negates it, `a-z` is a range); an unclosed `[` is a literal. */
function parseGlobComponent(component: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  const chars = Array.from(component);
  for (let at = 0; at < chars.length; at += 1) {
    const char = chars[at] as string;
    if (char === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' }); // `**` inside a name is one star
    } else if (char === '?') {
      tokens.push({ kind: 'any-one' });
    } else if (char === '[') {
      const parsed = parseClass(chars, at);
      if (parsed === null) tokens.push({ kind: 'char', char });
      else {
        tokens.push(parsed.token);
        at = parsed.endIndex;
      }
    } else {
      tokens.push({ kind: 'char', char });
    }
  }
  return tokens;
}

function parseClass(chars: readonly string[], openIndex: number): { token: GlobToken; endIndex: number } | null {
  let at = openIndex + 1;
  const negated = chars[at] === '!' || chars[at] === '^';
  if (negated) at += 1;
  const ranges: [string, string][] = [];
  // A `]` right after the opening (or its negation) is a member, as in POSIX brackets.
  for (let first = true; at < chars.length; first = false) {
    const char = chars[at] as string;
    if (char === ']' && !first) return { token: { kind: 'class', negated, ranges }, endIndex: at };
    const isRange = chars[at + 1] === '-' && chars[at + 2] !== undefined && chars[at + 2] !== ']';
    ranges.push(isRange ? [char, chars[at + 2] as string] : [char, char]);
    at += isRange ? 3 : 1;
  }
  return null;
}

function matchesToken(token: Exclude<GlobToken, { kind: 'star' }>, char: string): boolean {
  switch (token.kind) {
    case 'char':
      return token.char === char;
    case 'any-one':
      return true;
    case 'class':
      return token.ranges.some(([low, high]) => char >= low && char <= high) !== token.negated;
  }
}

/**
 * Glob tokens against one name: on a mismatch, the last star takes one more character and matching
 * resumes after it. Each resumption moves the name position forward, so the work is at most
 * (name length + 1) x (tokens + 1) steps.
 */
function matchComponent(tokens: readonly GlobToken[], text: string): boolean {
  const chars = Array.from(text);
  let tokenAt = 0;
  let charAt = 0;
  let starTokenAt = -1;
  let starCharAt = 0;
  while (charAt < chars.length) {
    const token = tokens[tokenAt];
    if (token !== undefined && token.kind === 'star') {
      starTokenAt = tokenAt;
      starCharAt = charAt;
      tokenAt += 1;
    } else if (token !== undefined && matchesToken(token, chars[charAt] as string)) {
      tokenAt += 1;
      charAt += 1;
    } else if (starTokenAt >= 0) {
      starCharAt += 1;
      charAt = starCharAt;
      tokenAt = starTokenAt + 1;
    } else {
      return false;
    }
  }
  while (tokens[tokenAt]?.kind === 'star') tokenAt += 1;
  return tokenAt === tokens.length;
}

/** Glob components against path components; `**` takes any number of them (a table, no backtracking). */
function matchComponents(pattern: readonly GlobComponent[], path: readonly string[]): boolean {
  // reachable[j]: the first i pattern components can match the first j path components.
  let reachable: boolean[] = Array.from({ length: path.length + 1 }, (_unused, index) => index === 0);
  for (const component of pattern) {
    const next: boolean[] = new Array<boolean>(path.length + 1).fill(false);
    for (let j = 0; j <= path.length; j += 1) {
      if (component === 'any-components') next[j] = reachable[j] === true || (j > 0 && next[j - 1] === true);
      else next[j] = j > 0 && reachable[j - 1] === true && matchComponent(component, path[j - 1] as string);
    }
    reachable = next;
  }
  return reachable[path.length] === true;
}
