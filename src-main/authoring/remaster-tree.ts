// The tree of an ISO 9660 image to remaster (issue 15): every entry of its primary tree becomes an
// AuthoringNode with its Rock Ridge attributes (IEEE P1282 PX, TF, SL, PN), the names the original
// gave it in the plain ISO 9660 and Joliet namespaces (kept where still valid), and its data as a
// ByteSource over the original's extents, read only while the new image is written.
import type { AuthoringKind, AuthoringNode } from '../format/authoring-tree.ts';
import { modeTypeBits } from '../format/authoring-tree.ts';
import { entryContentSource } from '../format/entry-source.ts';
import { corruptAt } from '../format/fields.ts';
import type { TreeEntry } from '../format/file-tree.ts';
import { UniqueNames } from '../format/unique-names.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { isoTreeLimits, openIsoImage, type IsoImage } from '../iso/iso-tree.ts';
import { deviceNumbers } from '../iso/rock-ridge.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { decodedEntrySource } from './decoded-entry-source.ts';
import { matchJolietEntries } from './joliet-match.ts';

export interface RemasterTree {
  readonly root: AuthoringNode;
  readonly rockRidge: boolean;
  readonly joliet: boolean;
  /** A Joliet name of the original is longer than Joliet's 64 characters (mkisofs -joliet-long). */
  readonly jolietLong: boolean;
  /** The path (in the tree's names) of the file whose data starts at each LBA; the first met where files share one. */
  readonly filePathByLba: ReadonlyMap<number, string>;
  /** First LBAs of every directory and file extent read, sorted: a boot image outside the tree ends before the next. */
  readonly usedLbas: readonly number[];
  /** The file that recorded the original's boot catalog, left out (its LBAs would be wrong; the new image records its own). */
  readonly catalogPath: string | null;
  readonly warnings: string[];
}

export interface RemasterTreeOptions {
  /** The El Torito catalog's LBA: the file recording it (boot.cat) is left out, the new image writes its own. */
  readonly catalogLba: number | null;
  readonly signal?: AbortSignal | undefined;
}

/** Directories without Rock Ridge permissions: read-only, as a disc is (what xorriso lists for them). */
const plainDirectoryMode = modeTypeBits.directory | 0o555;
const plainFileMode = modeTypeBits.file | 0o444;

interface Views {
  readonly source: ByteSource;
  /** Rock Ridge when the image has it, else plain ISO 9660: the primary tree, whose records every view but Joliet shares. */
  readonly primary: IsoImage;
  /** Plain ISO 9660 names of the same records (null when `primary` is already plain). */
  readonly plain: IsoImage | null;
  readonly joliet: IsoImage | null;
}

interface Walk {
  readonly views: Views;
  readonly options: RemasterTreeOptions;
  readonly defaultTimeMs: number;
  readonly filePathByLba: Map<number, string>;
  readonly usedLbas: Set<number>;
  readonly visitedDirectories: Set<number>;
  readonly visitedJolietDirectories: Set<number>;
  readonly warnings: string[];
  catalogPath: string | null;
  /** The data keys met, and the bytes their extents store in the original (each shared extent once). */
  readonly dataKeys: Set<string>;
  storedDataBytes: number;
  entryCount: number;
  longestJolietName: number;
  zisofsFileCount: number;
}

interface PendingDirectory {
  readonly node: AuthoringNode;
  readonly primary: TreeEntry;
  readonly joliet: TreeEntry | null;
  readonly path: string;
  readonly depth: number;
}

/** Reads the whole tree of `iso` (opened by image/open-image-file.ts) into authoring nodes. */
export async function readRemasterTree(iso: IsoImage, options: RemasterTreeOptions): Promise<RemasterTree> {
  const source = iso.source;
  const rockRidge = iso.namespaces.includes('rockridge');
  const joliet = iso.namespaces.includes('joliet');
  const plain = await openIsoImage(source, { namespace: 'iso9660' });
  const primary = rockRidge ? await openIsoImage(source, { namespace: 'rockridge' }) : plain;
  if (!primary || !plain) throw new Error(`${source.name} stopped being an ISO 9660 image while it was opened`);
  const views: Views = {
    source,
    primary,
    plain: rockRidge ? plain : null,
    joliet: joliet ? await openIsoImage(source, { namespace: 'joliet' }) : null,
  };
  const walk: Walk = {
    views,
    options,
    defaultTimeMs: primary.descriptors.primary.creationMs ?? 0,
    filePathByLba: new Map(),
    usedLbas: new Set(),
    visitedDirectories: new Set(),
    visitedJolietDirectories: new Set(),
    warnings: [],
    catalogPath: null,
    dataKeys: new Set(),
    storedDataBytes: 0,
    entryCount: 0,
    longestJolietName: 0,
    zisofsFileCount: 0,
  };
  const root = makeNode(walk, primary.root, '', null);
  const pending: PendingDirectory[] = [{ node: root, primary: primary.root, joliet: views.joliet?.root ?? null, path: '', depth: 1 }];
  for (let directory = pending.pop(); directory; directory = pending.pop()) {
    throwIfCancelled(options.signal, `reading ${source.name}`);
    pending.push(...(await readDirectory(walk, directory)));
  }
  if (rockRidge) dropEmptyRelocationFolder(root);
  if (walk.zisofsFileCount > 0) {
    walk.warnings.push(`${walk.zisofsFileCount} zisofs-compressed files of the original are written uncompressed (their decoded content is kept)`);
  }
  return {
    root,
    rockRidge,
    joliet,
    jolietLong: walk.longestJolietName > 64,
    filePathByLba: walk.filePathByLba,
    usedLbas: [...walk.usedLbas].sort((a, b) => a - b),
    catalogPath: walk.catalogPath,
    warnings: walk.warnings,
  };
}

/** Fills `directory.node`'s children; answers the subdirectories still to read. */
async function readDirectory(walk: Walk, directory: PendingDirectory): Promise<PendingDirectory[]> {
  const { views } = walk;
  const jolietDirectory = enterDirectory(walk, directory);
  // The three listings read the same cached sectors (primary and plain share their records): read at once.
  const [entries, plainEntries, jolietEntries] = await Promise.all([
    views.primary.listDirectory(directory.primary),
    views.plain ? views.plain.listDirectory(directory.primary) : null,
    jolietDirectory && views.joliet ? views.joliet.listDirectory(jolietDirectory) : [],
  ]);
  const plainByRecord = plainEntries ? new Map(plainEntries.map((entry) => [entry.recordOffsetBytes, entry])) : null;
  const jolietOf = matchJolietEntries(entries, jolietEntries);
  const names = new UniqueNames();
  const subdirectories: PendingDirectory[] = [];
  for (const entry of entries) {
    walk.entryCount += 1;
    if (walk.entryCount > isoTreeLimits.maxEntries) {
      throw corruptAt({ offsetBytes: entry.recordOffsetBytes }, 0, `the tree holds more than ${isoTreeLimits.maxEntries} entries`);
    }
    if (isOldBootCatalog(walk, entry)) continue;
    const jolietEntry = jolietOf.get(entry) ?? null;
    // Without Rock Ridge the Joliet name is the better one (case, length); with it, Rock Ridge's is the POSIX name.
    const name = names.claim(views.plain || !jolietEntry ? entry.name : jolietEntry.name);
    const plainName = plainByRecord ? (plainByRecord.get(entry.recordOffsetBytes)?.name ?? null) : entry.name;
    const node = makeNode(walk, entry, name, { iso9660: plainName, joliet: jolietEntry?.name ?? null });
    directory.node.children?.push(node);
    const path = `${directory.path}/${name}`;
    if (node.kind === 'directory') subdirectories.push({ node, primary: entry, joliet: jolietEntry, path, depth: directory.depth + 1 });
    if (node.kind === 'file') noteFile(walk, entry, path);
  }
  return subdirectories.reverse(); // popped in recorded order
}

/**
 * ECMA-119 6.8.2: a directory's extent is read once (a second visit is a loop); the depth is bounded.
 * Answers the Joliet directory to list beside it: null when a hostile image matched it twice already.
 */
function enterDirectory(walk: Walk, directory: PendingDirectory): TreeEntry | null {
  const where = { offsetBytes: directory.primary.recordOffsetBytes };
  if (directory.depth > isoTreeLimits.maxDepth) {
    throw corruptAt(where, 0, `directory ${directory.path} lies ${directory.depth} levels deep, more than ${isoTreeLimits.maxDepth}`);
  }
  if (walk.visitedDirectories.has(directory.primary.extentLba)) {
    throw corruptAt(where, 2, `directory ${directory.path || '/'} points at logical block ${directory.primary.extentLba}, already visited (a directory loop)`);
  }
  walk.visitedDirectories.add(directory.primary.extentLba);
  walk.usedLbas.add(directory.primary.extentLba);
  const joliet = directory.joliet;
  if (!joliet || walk.visitedJolietDirectories.has(joliet.extentLba)) return null;
  walk.visitedJolietDirectories.add(joliet.extentLba);
  walk.usedLbas.add(joliet.extentLba);
  return joliet;
}

/** The old boot catalog is not copied: its LBAs would be wrong, and the new image records its own. */
function isOldBootCatalog(walk: Walk, entry: TreeEntry): boolean {
  if (entry.type !== 'file' || entry.extentLba !== walk.options.catalogLba || entry.sizeBytes === 0) return false;
  walk.catalogPath ??= entry.path;
  return true;
}

/**
 * RRIP 4.1.5: the folder deep directories were moved to shows empty under Rock Ridge (they are shown
 * where they belong); the composer relocates deep folders itself, so the old one is left out.
 */
function dropEmptyRelocationFolder(root: AuthoringNode): void {
  const children = root.children ?? [];
  const index = children.findIndex((child) => child.kind === 'directory' && /^rr_moved$/i.test(child.name) && child.children?.length === 0);
  if (index >= 0) children.splice(index, 1);
}

/**
 * Notes where a file's data lies. An empty file's extent holds nothing (xorriso may point it anywhere):
 * it never names a boot image's LBA. The data the new image copies (each shared extent once) is stored
 * in the original, so it cannot exceed the original's size; a hostile image whose files overlap to
 * claim more (a 1 MiB image listing a thousand 1 GiB files) is refused before a byte is planned.
 */
function noteFile(walk: Walk, entry: TreeEntry, path: string): void {
  if (entry.sizeBytes > 0 && !walk.filePathByLba.has(entry.extentLba)) walk.filePathByLba.set(entry.extentLba, path);
  const key = dataKeyOf(entry);
  if (key !== null && !walk.dataKeys.has(key)) {
    walk.dataKeys.add(key);
    for (const extent of entry.extents) if (!extent.unrecorded) walk.storedDataBytes += extent.sizeBytes;
    if (walk.storedDataBytes > walk.views.source.sizeBytes) {
      throw corruptAt(
        { offsetBytes: entry.recordOffsetBytes },
        0,
        `files up to ${entry.path} claim ${walk.storedDataBytes} bytes of data, more than the image's ${walk.views.source.sizeBytes}: their extents overlap`,
      );
    }
  }
  for (const extent of entry.extents) if (!extent.unrecorded && extent.sizeBytes > 0) walk.usedLbas.add(Math.floor(extent.offsetBytes / 2048));
}

/** Names sharing one extent are hard links (or deduplicated copies: the same bytes either way); never empty files. */
function dataKeyOf(entry: TreeEntry): string | null {
  return entry.type === 'file' && entry.sizeBytes > 0 ? `extent:${entry.extentLba}:${entry.sizeBytes}` : null;
}

function makeNode(walk: Walk, entry: TreeEntry, name: string, kept: { iso9660: string | null; joliet: string | null } | null): AuthoringNode {
  const kind = kindOf(entry);
  const modifiedMs = entry.mtimeMs ?? walk.defaultTimeMs;
  const isFile = kind === 'file';
  if (kept?.joliet) walk.longestJolietName = Math.max(walk.longestJolietName, kept.joliet.length);
  return {
    name,
    kind,
    mode: entry.mode ?? (kind === 'directory' ? plainDirectoryMode : plainFileMode),
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    // The readers give Rock Ridge's modification time only (TF's access and attribute times are not kept).
    modifiedMs,
    accessedMs: modifiedMs,
    changedMs: modifiedMs,
    sizeBytes: isFile ? entry.sizeBytes : 0,
    content: isFile ? contentOf(walk, entry) : null,
    hardLinkKey: isFile ? dataKeyOf(entry) : null,
    linkTarget: kind === 'symlink' ? (entry.target ?? '') : null,
    device: entry.device && (kind === 'block-device' || kind === 'character-device') ? deviceNumbers(entry.device) : null,
    hidden: entry.hidden,
    children: kind === 'directory' ? [] : null,
    keptNames: kept ? keptNamesOf(kind, kept) : null,
    origin: `${walk.views.source.name}:${entry.path}`,
  };
}

/** The names as each namespace records them: ISO 9660 files carry their version ';1' (ECMA-119 7.5.1), Joliet names none (as xorriso writes them). */
function keptNamesOf(kind: AuthoringKind, kept: { iso9660: string | null; joliet: string | null }): AuthoringNode['keptNames'] {
  const version = kind === 'directory' ? '' : ';1';
  const names: { iso9660?: string; joliet?: string } = {};
  if (kept.iso9660) names.iso9660 = `${kept.iso9660}${kind === 'directory' || kept.iso9660.includes('.') ? '' : '.'}${version}`;
  if (kept.joliet) names.joliet = kept.joliet;
  return names;
}

function contentOf(walk: Walk, entry: TreeEntry): ByteSource {
  if (!entry.zisofs) return entryContentSource(walk.views.source, entry);
  walk.zisofsFileCount += 1;
  return decodedEntrySource(walk.views.source, entry);
}

function kindOf(entry: TreeEntry): AuthoringKind {
  if (entry.type !== 'other') return entry.type;
  switch ((entry.mode ?? 0) & modeTypeBits.mask) {
    case modeTypeBits.blockDevice:
      return 'block-device';
    case modeTypeBits.characterDevice:
      return 'character-device';
    case modeTypeBits.fifo:
      return 'fifo';
    case modeTypeBits.socket:
      return 'socket';
    default:
      // entryType (iso/iso-tree.ts) says 'other' only for these types; any other mode is a file's.
      return 'file';
  }
}
