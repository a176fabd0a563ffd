// The comparison of an oracle's listing with the source tree, per namespace (issue 15 "Proof"):
//   rockridge  the source tree exactly: every path, kind, size, SHA-256, permission bits, owner,
//              mtime in seconds (files and folders), link target and device number the oracle reads.
//   joliet     files and folders; a name that Joliet can hold (UCS-2 without surrogates, none of
//              * / : ; ? \ or controls, at most 64 units, 103 with --joliet-long) must be exactly the
//              source's; any other is only checked valid and unique, and its entry is matched by
//              content (a folder by its direct children). Symlinks, devices, fifos and sockets have
//              no Joliet form and must be absent (xorriso leaves them out; genisoimage's empty files
//              in their place would read as real ones); the absence of a name whose Joliet path would
//              pass 240 bytes is accepted.
//   udf        the source tree's files and folders: paths, kinds, sizes and contents exactly. Symlinks,
//              devices, fifos and sockets must be absent (the bridge leaves them out, as Joliet does:
//              7-Zip refuses a UDF volume holding any).
//   iso9660    every identifier valid for the level (d-characters, 8.3 or 31) and unique in its folder
//              ignoring case; the files' contents as a multiset (names are mangled, folders may be
//              relocated to RR_MOVED).
import type { IsoLevel } from '../../../shared/authoring.ts';
import type { Namespace, OracleListing } from './oracles/oracle.ts';
import { baseName, parentOf, type TreeEntry } from './tree-entry.ts';

export interface ImageOptions {
  readonly level: IsoLevel;
  readonly jolietLong: boolean;
}

/** What a writer is allowed beyond the rules: libisofs (xorriso) does not count the '.' of a Joliet name's extension, so its names reach 65 (104) units. */
export interface WriterLeniency {
  readonly jolietExtraUnits: number;
}

const maxReported = 12;

/** Differences between the source tree and the oracle's listing of one namespace ([] when equal). */
export function compareListing(
  expected: readonly TreeEntry[],
  listing: OracleListing,
  namespace: Namespace,
  image: ImageOptions,
  leniency: WriterLeniency,
): string[] {
  if (namespace === 'rockridge') return compareRockRidge(expected, listing);
  if (namespace === 'udf') {
    // UDF keeps every name as it is; the bridge holds files and folders only.
    return compareRockRidge(
      expected.filter((entry) => entry.kind === 'file' || entry.kind === 'directory'),
      listing,
    );
  }
  if (namespace === 'joliet') return compareJoliet(expected, listing, (image.jolietLong ? 103 : 64) + leniency.jolietExtraUnits);
  return compareIso9660(expected, listing, image.level);
}

/** The fields of `entry` an oracle reading `fields` must agree on (rules per kind: no symlink modes, times of files and folders only). */
function projected(entry: TreeEntry, fields: OracleListing['fields']): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: entry.kind };
  for (const field of fields) {
    if ((field === 'sizeBytes' || field === 'sha256') && entry.kind !== 'file') continue;
    if ((field === 'mode' || field === 'permissionBits') && entry.kind === 'symlink') continue;
    if (field === 'permissionBits') {
      out.mode = (entry.mode ?? -1) & 0o777;
      continue;
    }
    if (field === 'mtimeS' && entry.kind !== 'file' && entry.kind !== 'directory') continue;
    if ((field === 'linkTarget' || field === 'linkTargetWithoutSlashes') && entry.kind !== 'symlink') continue;
    if (field === 'linkTarget') {
      out.linkTarget = comparableLinkTarget(entry.linkTarget);
      continue;
    }
    if (field === 'linkTargetWithoutSlashes') {
      out.linkTarget = entry.linkTarget?.replaceAll('/', '');
      continue;
    }
    if (field === 'device' && entry.kind !== 'block-device' && entry.kind !== 'character-device') continue;
    out[field] = entry[field];
  }
  return out;
}

/**
 * RRIP 4.1.3 SL records components, so 'folder/' and 'folder' are the same components: xorriso (the
 * reference) writes both as 'folder'. The trailing '/' is compared away (a documented loss, and
 * harmless: the kernel resolves both alike); '/' alone stays.
 */
function comparableLinkTarget(target: string | undefined): string | undefined {
  return target !== undefined && target.length > 1 ? target.replace(/\/+$/, '') : target;
}

function describe(path: string): string {
  return JSON.stringify(path);
}

function compareRockRidge(expected: readonly TreeEntry[], listing: OracleListing): string[] {
  const problems: string[] = [];
  const seen = new Map(listing.entries.map((entry) => [entry.path, entry]));
  if (seen.size !== listing.entries.length) problems.push(`${listing.entries.length - seen.size} paths listed twice`);
  for (const entry of expected) {
    const found = seen.get(entry.path);
    seen.delete(entry.path);
    if (!found) {
      problems.push(`missing ${describe(entry.path)} (${entry.kind})`);
      continue;
    }
    const want = projected(entry, listing.fields);
    const got = projected(found, listing.fields);
    if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`${describe(entry.path)}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  for (const path of seen.keys()) problems.push(`unexpected ${describe(path)}`);
  return problems.slice(0, maxReported).concat(problems.length > maxReported ? [`... and ${problems.length - maxReported} more`] : []);
}

interface Node {
  readonly name: string;
  readonly entry: TreeEntry;
  readonly children: Node[];
}

const isSpecial = (kind: TreeEntry['kind']): boolean => kind !== 'file' && kind !== 'directory';

/** The listing as a tree. */
function buildTree(entries: readonly TreeEntry[]): Node {
  const root: Node = { name: '', entry: { path: '/', kind: 'directory' }, children: [] };
  const byPath = new Map<string, Node>([['/', root]]);
  for (const entry of [...entries].sort((a, b) => a.path.split('/').length - b.path.split('/').length)) {
    const node: Node = { name: baseName(entry.path), entry, children: [] };
    byPath.get(parentOf(entry.path))?.children.push(node);
    byPath.set(entry.path, node);
  }
  return root;
}

type ContentKey = (node: Node) => string;

/** A file's content key ('' for an empty one: every empty file looks alike): size and SHA-256, or the size alone when the oracle read no bytes. */
function contentKeyFor(withHash: boolean): ContentKey {
  return (node) =>
    node.entry.kind === 'file' && (node.entry.sizeBytes ?? 0) > 0 ? `${node.entry.sizeBytes}${withHash ? `:${node.entry.sha256 ?? ''}` : ''}` : '';
}

/** How alike two folders are by their direct children: equal non-empty contents, and equal names. */
function likeness(want: Node, got: Node, contentKey: ContentKey): number {
  const gotKeys = new Set(got.children.map(contentKey).filter((key) => key !== ''));
  const gotNames = new Set(got.children.map((child) => child.name));
  return want.children.filter((child) => gotKeys.has(contentKey(child)) || gotNames.has(child.name)).length;
}

/** Joliet (Joliet specification 1995, 3.1): UCS-2 names without * / : ; ? \ and controls, at most `limit` units. */
export function isJolietHoldable(name: string, limit: number): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length <= limit && !/[\u0000-\u001f*/:;?\\]|[\ud800-\udfff]/.test(name);
}

/** Joliet specification 3.1 / ECMA-119 6.8.2.1: a path of at most 240 bytes (120 UCS-2 units); a deeper name may be left out (libisofs does). */
const jolietPathUnitsLimit = 120;

function compareJoliet(expected: readonly TreeEntry[], listing: OracleListing, limit: number): string[] {
  const problems: string[] = [];
  const contentKey = contentKeyFor(listing.fields.includes('sha256'));
  const compareFolder = (want: Node, got: Node, gotPathUnits: number): void => {
    const folder = want.entry.path;
    const names = got.children.map((child) => child.name);
    if (new Set(names).size !== names.length) problems.push(`${describe(folder)}: Joliet names repeat`);
    for (const name of names) if (!isJolietHoldable(name, limit)) problems.push(`${describe(folder)}: invalid Joliet name ${describe(name)}`);
    const unmatched = new Set(got.children);
    const matchChild = (wanted: Node, found: Node): void => {
      unmatched.delete(found);
      if (wanted.entry.kind !== found.entry.kind || contentKey(wanted) !== contentKey(found)) {
        problems.push(
          `${describe(wanted.entry.path)}: expected ${wanted.entry.kind} ${contentKey(wanted)}, got ${found.entry.kind} ${contentKey(found)} at ${describe(found.entry.path)}`,
        );
      } else if (wanted.entry.kind === 'directory') compareFolder(wanted, found, gotPathUnits + 1 + found.name.length);
    };
    const byName = new Map(got.children.map((child) => [child.name, child]));
    const unpredictable: Node[] = [];
    const reportMissing = (child: Node): void => {
      if (gotPathUnits + 1 + Math.min(child.name.length, limit) <= jolietPathUnitsLimit) problems.push(`missing ${describe(child.entry.path)}`);
    };
    for (const child of want.children) {
      if (isSpecial(child.entry.kind)) continue; // absent: anything left in its place is reported below as unexpected
      // A name Joliet can hold must be there as it is: matching it by content would let a wrong name pass.
      if (!isJolietHoldable(child.name, limit)) unpredictable.push(child);
      else {
        // Linux (isofs get_joliet_filename), Windows, 7-Zip and our reader drop a Joliet name's trailing
        // dots ('dot.' reads as 'dot'), though both writers record them: either form is the name.
        const found = byName.get(child.name) ?? byName.get(child.name.replace(/\.+$/, ''));
        if (found) matchChild(child, found);
        else reportMissing(child);
      }
    }
    for (const child of unpredictable) {
      const candidates = [...unmatched].filter((candidate) => candidate.entry.kind === child.entry.kind && contentKey(candidate) === contentKey(child));
      const found = candidates.sort((a, b) => likeness(child, b, contentKey) - likeness(child, a, contentKey))[0];
      if (found) matchChild(child, found);
      else reportMissing(child);
    }
    if (unmatched.size > 0) problems.push(`${describe(folder)}: unexpected ${[...unmatched].map((node) => describe(node.name)).join(', ')}`);
  };
  compareFolder(buildTree(expected), buildTree(listing.entries), 0);
  return problems.slice(0, maxReported).concat(problems.length > maxReported ? [`... and ${problems.length - maxReported} more`] : []);
}

/** ECMA-119 7.5/7.6 and 10.1-10.3: d-characters; level 1 8.3 names and 8-character folders; levels 2 and 3 at most 31 characters (30 for name + extension). */
export function iso9660NameProblem(raw: string, isDirectory: boolean, level: IsoLevel): string | null {
  if (isDirectory) {
    if (!/^[A-Z0-9_]+$/.test(raw)) return 'a folder identifier of other than d-characters';
    return raw.length > (level === 1 ? 8 : 31) ? `a folder identifier of ${raw.length} characters` : null;
  }
  const match = /^([A-Z0-9_]*)\.([A-Z0-9_]*);([0-9]+)$/.exec(raw);
  if (!match || `${match[1]}${match[2]}` === '') return 'not NAME.EXT;VERSION in d-characters';
  const [, name, extension] = match as unknown as [string, string, string];
  if (level === 1 && (name.length > 8 || extension.length > 3)) return 'longer than 8.3 at level 1';
  return name.length + extension.length > 30 ? `name and extension of ${name.length + extension.length} characters` : null;
}

function compareIso9660(expected: readonly TreeEntry[], listing: OracleListing, level: IsoLevel): string[] {
  const problems: string[] = [];
  if (listing.rawNames) {
    listing.entries.forEach((entry, index) => {
      const raw = listing.rawNames?.[index] as string;
      const problem = iso9660NameProblem(raw, entry.kind === 'directory', level);
      if (problem) problems.push(`${describe(entry.path)}: identifier ${describe(raw)} is ${problem}`);
    });
  }
  const byFolder = new Map<string, string[]>();
  for (const entry of listing.entries) byFolder.set(parentOf(entry.path), [...(byFolder.get(parentOf(entry.path)) ?? []), baseName(entry.path).toUpperCase()]);
  for (const [folder, names] of byFolder) if (new Set(names).size !== names.length) problems.push(`${describe(folder)}: identifiers repeat`);
  const contents = (entries: readonly TreeEntry[]): string[] =>
    entries
      .filter((entry) => entry.kind === 'file' && (entry.sizeBytes ?? 0) > 0)
      .map((entry) => `${entry.sizeBytes}:${entry.sha256 ?? ''}`)
      .sort();
  const want = contents(expected);
  const got = contents(listing.entries);
  const withSha = listing.fields.includes('sha256');
  const strip = (list: string[]): string[] => (withSha ? list : list.map((item) => item.split(':')[0] as string));
  if (JSON.stringify(strip(want)) !== JSON.stringify(strip(got)))
    problems.push(`file contents differ: ${want.length} non-empty files in the source, ${got.length} in the image`);
  return problems.slice(0, maxReported);
}
