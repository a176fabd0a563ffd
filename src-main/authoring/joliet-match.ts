// Which Joliet entry names which primary-tree entry, in one directory of a remastered image. Joliet is
// a second directory hierarchy (its own SVD, ECMA-119 8.5) over the same file data, so a file is
// matched by the extent its data starts at; what has no data of its own (folders, empty files, links)
// is matched by name: equal, else the Joliet name a truncation of the primary one (64 UCS-2 units).
import type { TreeEntry } from '../format/file-tree.ts';

/** The Joliet entry of each primary entry that has one; every Joliet entry is used at most once. */
export function matchJolietEntries(primary: readonly TreeEntry[], joliet: readonly TreeEntry[]): Map<TreeEntry, TreeEntry> {
  const matched = new Map<TreeEntry, TreeEntry>();
  if (joliet.length === 0) return matched;
  const used = new Set<TreeEntry>();
  const byExtent = new Map<number, TreeEntry[]>();
  for (const entry of joliet) {
    if (!hasOwnData(entry)) continue;
    const list = byExtent.get(entry.extentLba);
    if (list) list.push(entry);
    else byExtent.set(entry.extentLba, [entry]);
  }
  const byName = new Map<string, TreeEntry[]>();
  for (const entry of joliet) {
    const list = byName.get(entry.name);
    if (list) list.push(entry);
    else byName.set(entry.name, [entry]);
  }
  const unmatched: TreeEntry[] = [];
  for (const entry of primary) {
    // Hard links in one folder share an extent: the one whose name also agrees is theirs.
    const byData = hasOwnData(entry) ? pickFree(byExtent.get(entry.extentLba), used, entry) : undefined;
    const found = byData ?? pickFree(byName.get(entry.name), used, entry);
    if (found) {
      matched.set(entry, found);
      used.add(found);
    } else unmatched.push(entry);
  }
  matchTruncatedNames(unmatched, joliet, used, matched);
  return matched;
}

/** A file with data: its extent identifies it in every namespace (a zisofs file's too: Joliet records the same extent). */
function hasOwnData(entry: TreeEntry): boolean {
  return entry.type === 'file' && entry.sizeBytes > 0 && entry.extents.length > 0;
}

function isSameShape(primary: TreeEntry, joliet: TreeEntry): boolean {
  // Joliet has no links or devices: genisoimage records them as empty files there (xorriso and Isotope leave them out).
  return (primary.type === 'directory') === (joliet.type === 'directory');
}

function pickFree(candidates: readonly TreeEntry[] | undefined, used: ReadonlySet<TreeEntry>, entry: TreeEntry): TreeEntry | undefined {
  if (!candidates) return undefined;
  let free: TreeEntry | undefined;
  for (const candidate of candidates) {
    if (used.has(candidate) || !isSameShape(entry, candidate)) continue;
    if (candidate.name === entry.name) return candidate;
    free ??= candidate;
  }
  return free;
}

/**
 * The entries no extent or equal name matched: a Joliet name that begins the primary name (a long
 * name cut to Joliet's 64 units, the extension cut with it, as xorriso and genisoimage do).
 */
function matchTruncatedNames(unmatched: readonly TreeEntry[], joliet: readonly TreeEntry[], used: Set<TreeEntry>, matched: Map<TreeEntry, TreeEntry>): void {
  if (unmatched.length === 0) return;
  const free = joliet.filter((entry) => !used.has(entry) && entry.name.length >= 8);
  // A hostile folder of many unmatched entries would make this quadratic: past 256 x 256, names are made anew
  // (about one comparison per byte of the two listings, which the readers' budgets paid for).
  if (free.length * unmatched.length > 65_536) return;
  for (const entry of unmatched) {
    const found = free.find((candidate) => !used.has(candidate) && isSameShape(entry, candidate) && entry.name.startsWith(candidate.name));
    if (!found) continue;
    matched.set(entry, found);
    used.add(found);
  }
}
