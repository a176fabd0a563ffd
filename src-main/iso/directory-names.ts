// The one way a namespace of a new image (ISO 9660, Joliet) names the children of a directory:
// identifiers that depend only on the set of names (never on the order a walk met them) and are
// unique within the directory, whatever translation the namespace applies.
import { CodedError } from '../jobs/errors.ts';

/** One child of a directory as the namers see it; `kept` is a remastered image's identifier, reused when still valid. */
export interface NamedChild {
  readonly name: string;
  readonly isDirectory: boolean;
  readonly kept?: string;
}

/** A child's name translated into a namespace: the identifier it would like, and its numbered variants. */
export interface Translation {
  readonly identifier: string;
  /** The identifier carrying `counter` (kept inside the namespace's limits), or null when no room is left for it. */
  withCounter(counter: number): string | null;
}

export interface NamingRules {
  /** 'ISO 9660' or 'Joliet', for error messages. */
  readonly namespace: string;
  /** The kept identifier in this namespace's form, or null when it breaks the namespace's rules. */
  validKept(kept: string, child: NamedChild): string | null;
  translate(child: NamedChild): Translation;
}

/** The most numbered variants tried for one translation; far more than a directory can hold. */
const maxCounter = 9_999_999;

/**
 * Identifiers of `children`, in the order given. Kept identifiers are claimed first, then each
 * child's own translation, then the children whose translation was taken get the first free
 * numbered variant; every round goes in the order of the original names. Linear after one sort:
 * each family of variants keeps its own counter, which only moves forward.
 */
export function namesForDirectory(children: readonly NamedChild[], rules: NamingRules): string[] {
  const names = new Array<string | undefined>(children.length);
  const taken = new Set<string>();
  const order = childrenInNameOrder(children);
  for (const index of order) {
    const child = children[index] as NamedChild;
    const kept = child.kept === undefined ? null : rules.validKept(child.kept, child);
    if (kept !== null && !taken.has(kept)) {
      taken.add(kept);
      names[index] = kept;
    }
  }
  const collided: { index: number; translation: Translation }[] = [];
  for (const index of order) {
    if (names[index] !== undefined) continue;
    const translation = rules.translate(children[index] as NamedChild);
    if (taken.has(translation.identifier)) collided.push({ index, translation });
    else {
      taken.add(translation.identifier);
      names[index] = translation.identifier;
    }
  }
  const counters = new Map<string, number>();
  for (const { index, translation } of collided) {
    names[index] = numberedIdentifier(translation, taken, counters, () => `${rules.namespace} name for "${(children[index] as NamedChild).name}"`);
  }
  return names as string[];
}

/** Indexes of `children` sorted by original name (then kind, then kept name): the input order never matters. */
function childrenInNameOrder(children: readonly NamedChild[]): number[] {
  const order = children.map((_, index) => index);
  return order.sort((a, b) => {
    const left = children[a] as NamedChild;
    const right = children[b] as NamedChild;
    if (left.name !== right.name) return left.name < right.name ? -1 : 1;
    if (left.isDirectory !== right.isDirectory) return left.isDirectory ? -1 : 1;
    const keptLeft = left.kept ?? '';
    const keptRight = right.kept ?? '';
    return keptLeft < keptRight ? -1 : keptLeft > keptRight ? 1 : 0;
  });
}

/**
 * The first free numbered variant of `translation`. Counters are kept per family of variants (the
 * translations whose first variant is the same, as LONGFILE and LONGFIXX both give LONGFI_1 at level
 * 1): a translation of a family starts where the family stopped, since every variant below is taken.
 * Keyed per translation instead, each of 40,000 such names would scan its family's variants again.
 */
function numberedIdentifier(translation: Translation, taken: Set<string>, counters: Map<string, number>, what: () => string): string {
  const family = translation.withCounter(1) ?? translation.identifier;
  for (let counter = counters.get(family) ?? 1; counter <= maxCounter; counter += 1) {
    const identifier = translation.withCounter(counter);
    if (identifier === null) break;
    if (taken.has(identifier)) continue;
    taken.add(identifier);
    counters.set(family, counter + 1);
    return identifier;
  }
  throw new CodedError('bad-source-name', `no unique ${what()} is left: ${translation.identifier} and its numbered variants are all taken`);
}
