// Type-ahead in a list or a tree (WAI-ARIA APG listbox and treegrid keyboard interaction): letters
// typed in quick succession make a prefix, and the focus moves to the next name starting with it.
// The one implementation behind the Contents tree and the in-app file dialog.

/** Letters typed within this long of each other make one prefix; a longer pause starts a new one. */
export const typeAheadResetMs = 1000;

const nameCollator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * The next name, from `fromIndex` on and wrapping, that starts with `prefix` (case and accents
 * ignored); -1 when none does.
 */
export function findTypeAheadMatch(names: readonly string[], fromIndex: number, prefix: string): number {
  if (names.length === 0 || prefix === '') return -1;
  for (let step = 0; step < names.length; step += 1) {
    const index = (((fromIndex + step) % names.length) + names.length) % names.length;
    if (nameCollator.compare((names[index] ?? '').slice(0, prefix.length), prefix) === 0) return index;
  }
  return -1;
}

export class TypeAhead {
  /** Settable for tests and for a list that wants another pace; the app uses typeAheadResetMs. */
  readonly resetMs: number;
  #prefix = '';
  #typedAtMs = 0;

  constructor(resetMs: number = typeAheadResetMs) {
    this.resetMs = resetMs;
  }

  /** A printable key without Ctrl, Alt or Meta types a letter; a space only inside a prefix (alone it is the row's own key). */
  accepts(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): boolean {
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return false;
    return event.key !== ' ' || this.#prefix !== '';
  }

  /**
   * Adds `letter` typed at `nowMs` and answers the index of the name to move to among `names` (the
   * active one at `activeIndex`, -1 for none), or -1 when none matches. A new prefix looks past the
   * active row (typing "d" again goes to the next name with d); a longer one may still match it.
   */
  type(letter: string, nowMs: number, names: readonly string[], activeIndex: number): number {
    const continuing = this.#prefix !== '' && nowMs - this.#typedAtMs < this.resetMs;
    this.#prefix = continuing ? this.#prefix + letter : letter;
    this.#typedAtMs = nowMs;
    const fromIndex = activeIndex < 0 ? 0 : continuing ? activeIndex : activeIndex + 1;
    return findTypeAheadMatch(names, fromIndex, this.#prefix);
  }

  /** Any other key (an arrow, Home, Enter) or a new listing ends the prefix. */
  reset(): void {
    this.#prefix = '';
  }
}
