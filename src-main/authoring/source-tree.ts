// The folders and files a new image is made of (issue 15), read into one AuthoringNode tree by their
// metadata only: lstat, never following a symbolic link (a link is recorded as a link, so a link loop
// is just two links), each file's content left to a lazy treeFileSource. Several sources merge into
// one root: a folder gives its contents, a file sits at the root. Names are kept as the file system
// spells them (control characters too: Rock Ridge records them, the other namespaces mangle them);
// a name that is not UTF-8 cannot be a Unicode name in any namespace and is refused, named. Devices,
// fifos and sockets are kept, as xorriso and genisoimage keep them (Rock Ridge records their type).
// Bounds: 255 levels of nesting, 2,000,000 entries. The calls are synchronous, in slices that give the
// event loop a turn every few milliseconds (sync-slices.ts: a thread-pool round trip per entry cost
// several times the lstat itself).
import { accessSync, constants, lstatSync, readdirSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { ByteSource } from '../io/byte-source.ts';
import { isStrictlyInside } from '../io/extraction-paths.ts';
import { deviceNumberOf } from '../drives/list-drives.ts';
import { madeFolderNode, type AuthoringKind, type AuthoringNode } from '../format/authoring-tree.ts';
import { CancelledError, CodedError } from '../jobs/errors.ts';
import { excludeMatcher, type ExcludeMatcher } from './excludes.ts';
import { yieldWhenSliceSpent } from './sync-slices.ts';
import { treeFileSource } from './tree-file-source.ts';

/** Levels of nesting below the root a tree may have (a path of at most this many names). */
export const maxTreeDepth = 255;
/** Entries a tree may hold: far beyond a real disc (a DVD of 4 KiB files holds about 1.1 million). */
export const maxTreeNodes = 2_000_000;

export interface SourceTreeOptions {
  /** Globs as .gitignore lines, matched against paths relative to each source (excludes.ts). */
  readonly excludes: readonly string[];
  readonly signal?: AbortSignal | undefined;
  /** Told after each entry read: how many so far, the bytes of file data found, and the entry's path (for a job's `scanning` progress). */
  readonly onEntry?: ((scanned: ScanProgress) => void) | undefined;
  /**
   * Real paths never read (security/source-locations.ts: credential folders and Isotope's own data,
   * when a contract caller names a folder holding them): left out of the walk with a warning each.
   */
  readonly withheld?: readonly string[] | undefined;
  /** Owners 0 and `mkisofs -r` modes for every node (reproducibleMode), as the walk reads them: no second tree is made. */
  readonly reproducible?: boolean | undefined;
}

export interface ScanProgress {
  readonly entryCount: number;
  readonly fileBytes: number;
  readonly path: string;
}

/** Walks the sources (absolute paths) into one root; `warnings` name what the walk left out on its own (withheld places). */
export async function readSourceTree(sources: readonly string[], options: SourceTreeOptions): Promise<{ root: AuthoringNode; warnings: string[] }> {
  const walk = new TreeWalk(options.signal, options.onEntry, options.reproducible ?? false);
  const children: AuthoringNode[] = [];
  const originByName = new Map<string, string>();
  let rootStats: Stats | null = null;
  for (const source of sources) {
    const stats = walk.lstat(source, 'not-found');
    const matcher = withholding(source, stats, excludeMatcher(options.excludes), { withheld: options.withheld ?? [], warnings: walk.warnings });
    const node = await walk.source(source, stats, matcher);
    if (stats.isDirectory()) rootStats ??= stats;
    // A folder gives its entries; a file (or a link, a device) sits at the root under its own name.
    for (const child of stats.isDirectory() ? (node?.children ?? []) : node ? [node] : []) {
      const other = originByName.get(child.name);
      if (other !== undefined) {
        throw new CodedError('invalid-request', `${child.origin} and ${other} would both be /${child.name} in the image: rename one or leave one out`, {
          path: child.origin,
        });
      }
      originByName.set(child.name, child.origin);
      children.push(child);
    }
  }
  children.sort(byName);
  const root = rootNode(rootStats, children, sources[0] ?? '', options.reproducible ?? false);
  return { root, warnings: walk.warnings.sort() };
}

/**
 * The source folder's matcher with the withheld places inside it left out too: the walk follows no
 * link below the source, so an entry's real path is the source's real path joined with its relative path.
 */
function withholding(
  source: string,
  stats: Stats,
  matcher: ExcludeMatcher,
  { withheld, warnings }: { withheld: readonly string[]; warnings: string[] },
): ExcludeMatcher {
  if (withheld.length === 0 || !stats.isDirectory()) return matcher;
  const realFolder = attempt(() => realpathSync(source), source, 'resolving its real path');
  const inside = new Set(withheld.filter((place) => isStrictlyInside(realFolder, place)).map((place) => relative(realFolder, place).split(sep).join('/')));
  if (inside.size === 0) return matcher;
  return {
    excludes: (relativePath, isDirectory) => {
      if (!inside.has(relativePath)) return matcher.excludes(relativePath, isDirectory);
      warnings.push(`${join(source, relativePath)} was left out: it holds keys or Isotope's own data, which an image made through the app never includes`);
      return true;
    },
  };
}

/** The image's root: the first source folder (its owner, mode and times), or a folder made now when only files were given. */
function rootNode(stats: Stats | null, children: AuthoringNode[], origin: string, reproducible: boolean): AuthoringNode {
  if (stats) return nodeFromStats({ name: '', path: origin, folder: null }, 'directory', stats, children, null, reproducible);
  const made = madeFolderNode({ name: '', timeMs: Date.now(), children, origin });
  return reproducible ? { ...made, mode: reproducibleMode(made.mode) } : made;
}

/** `mkisofs -r`'s modes: read for all; execute (search) for all when any was set; no write, setuid, setgid or sticky bits. */
export function reproducibleMode(mode: number): number {
  const typeBits = mode & 0o170000;
  const execute = (mode & 0o111) !== 0 ? 0o111 : 0;
  return typeBits | 0o444 | execute;
}

/** An entry listed (or a source named) and not yet read. */
interface PendingEntry {
  readonly path: string;
  /** The path of the folder that listed it (its siblings share the string); null for a source itself, named by path. */
  readonly folder: string | null;
  readonly name: string;
  /** The path below its source, as excludes match it ('boot/grub/grub.cfg'); '' for a source folder itself. */
  readonly relativePath: string;
  readonly depth: number;
  readonly matcher: ExcludeMatcher;
  /** Where the entry's node goes once read (null: left out). */
  readonly parent: NodeCollector;
  /** The lstat already made (a source itself), else made when the entry is read. */
  readonly stats?: Stats;
}

interface NodeCollector {
  add(node: AuthoringNode | null): void;
}

/** A folder whose entries are being read: once the last one is in, the folder's node goes to its own parent. */
class FolderAssembly implements NodeCollector {
  readonly #children: AuthoringNode[] = [];
  #remaining: number;

  constructor(
    private readonly entry: PendingEntry,
    private readonly stats: Stats,
    entryCount: number,
    private readonly reproducible: boolean,
  ) {
    this.#remaining = entryCount;
    if (entryCount === 0) this.#finish();
  }

  add(node: AuthoringNode | null): void {
    if (node !== null) this.#children.push(node);
    this.#remaining -= 1;
    if (this.#remaining === 0) this.#finish();
  }

  #finish(): void {
    this.entry.parent.add(nodeFromStats(this.entry, 'directory', this.stats, this.#children.sort(byName), null, this.reproducible));
  }
}

/** One walk: a stack of entries still to read, depth first, so it stays small. */
class TreeWalk {
  readonly warnings: string[] = [];
  #nodeCount = 0;
  readonly #pending: PendingEntry[] = [];
  readonly #signal: AbortSignal | undefined;
  /** access() answers for the real user: root reads every file, so the call is saved (the open at write time still checks). */
  readonly #checksReadable = process.getuid?.() !== 0;

  readonly #onEntry: ((scanned: ScanProgress) => void) | undefined;
  #fileBytes = 0;

  constructor(
    signal: AbortSignal | undefined,
    onEntry: ((scanned: ScanProgress) => void) | undefined,
    private readonly reproducible: boolean,
  ) {
    this.#signal = signal;
    this.#onEntry = onEntry;
  }

  /** The node of one source (a folder with its whole tree), or null when it is left out. */
  async source(path: string, stats: Stats, matcher: ExcludeMatcher): Promise<AuthoringNode | null> {
    let found: AuthoringNode | null = null;
    const relativePath = stats.isDirectory() ? '' : basename(path);
    const parent = { add: (node: AuthoringNode | null) => void (found = node) };
    this.#pending.push({ path, folder: null, name: basename(path), relativePath, depth: stats.isDirectory() ? 0 : 1, matcher, parent, stats });
    for (let entry = this.#pending.pop(); entry !== undefined; entry = this.#pending.pop()) {
      await yieldWhenSliceSpent();
      this.#read(entry);
    }
    return found;
  }

  /** Reads one entry: its node goes to its parent, or (a folder) its entries go onto the stack. */
  #read(entry: PendingEntry): void {
    const { path, depth } = entry;
    if (depth > maxTreeDepth) {
      throw new CodedError('invalid-request', `${path} lies ${depth} levels deep; an image holds at most ${maxTreeDepth} levels`, { path });
    }
    this.#nodeCount += 1;
    if (this.#nodeCount > maxTreeNodes) throw new CodedError('invalid-request', `the sources hold more than ${maxTreeNodes} entries (at ${path})`, { path });
    if (this.#signal?.aborted) throw new CancelledError('reading the sources');
    // An entry the folder listed a moment ago and now gone: the tree changed while it was read.
    const stats = entry.stats ?? this.lstat(path, 'source-changed');
    const kind = kindOf(stats);
    const excluded = entry.relativePath !== '' && entry.matcher.excludes(entry.relativePath, kind === 'directory');
    if (kind === 'file' && !excluded) this.#fileBytes += stats.size;
    this.#onEntry?.({ entryCount: this.#nodeCount, fileBytes: this.#fileBytes, path });
    if (excluded) return entry.parent.add(null);
    if (kind === 'directory') return this.#list(entry, stats);
    if (kind === 'file' && this.#checksReadable) this.checkReadable(path);
    const linkTarget = kind === 'symlink' ? this.linkTarget(path) : null;
    entry.parent.add(nodeFromStats(entry, kind, stats, null, linkTarget, this.reproducible));
  }

  /** Puts a folder's entries on the stack, collected by one FolderAssembly. */
  #list(entry: PendingEntry, stats: Stats): void {
    const listed = attempt(() => readdirSync(entry.path, { encoding: 'buffer' }), entry.path, 'reading the folder');
    const names = listed.map((bytes) => utf8Name(bytes, entry.path));
    const folder = new FolderAssembly(entry, stats, names.length, this.reproducible);
    for (const name of names) {
      const relativePath = entry.relativePath === '' ? name : `${entry.relativePath}/${name}`;
      const { path, depth, matcher } = entry;
      this.#pending.push({ path: join(path, name), folder: path, name, relativePath, depth: depth + 1, matcher, parent: folder });
    }
  }

  /**
   * Numbers, not bigints: a BigIntStats made every field, mode test and time a BigInt to convert, and
   * was a third of the walk of 50,000 files (issue 15). A double holds every size and time an image
   * can record; the one exact field needed, dev:ino, is read apart (hardLinkKey).
   */
  lstat(path: string, whenMissing: 'not-found' | 'source-changed'): Stats {
    try {
      return lstatSync(path);
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
        throw new CodedError(whenMissing, whenMissing === 'not-found' ? `${path} does not exist` : `${path} disappeared while the sources were read`, {
          path,
        });
      }
      throw fileSystemFailure(error, path, 'reading its metadata');
    }
  }

  /** Fails now, naming the file, rather than at its turn in the write (the file is opened only then). */
  checkReadable(path: string): void {
    attempt(() => accessSync(path, constants.R_OK), path, 'checking it can be read');
  }

  linkTarget(path: string): string {
    const target = attempt(() => readlinkSync(path, { encoding: 'buffer' }), path, 'reading the link');
    const text = decodeUtf8(target);
    if (text === null) throw new CodedError('bad-source-name', `${path}: the link's target ${escapeBytes(target)} is not UTF-8`, { path });
    return text;
  }
}

/**
 * A node of a tree on disk. Its origin (a path) is made when asked, from its folder's path, which it
 * shares with its siblings, as its content's path is: 50,000 held paths cost about 6 MB from the walk
 * to the end of the write. A copy made by spreading one must name `origin` itself (a getter is not
 * copied).
 */
class SourceNode implements AuthoringNode {
  constructor(
    readonly name: string,
    readonly kind: AuthoringKind,
    readonly mode: number,
    readonly uid: number,
    readonly gid: number,
    readonly modifiedMs: number,
    readonly accessedMs: number,
    readonly changedMs: number,
    readonly sizeBytes: number,
    readonly hardLinkKey: string | null,
    readonly linkTarget: string | null,
    readonly device: { readonly major: number; readonly minor: number } | null,
    readonly children: AuthoringNode[] | null,
    /** The folder's path, or (a source itself) the node's own path as given. */
    private readonly folderOrPath: string,
    private readonly isOwnPath: boolean,
  ) {
    // The content holds the node, and reads its path, size and time from it.
    this.content = kind === 'file' ? treeFileSource(this) : null;
  }

  readonly content: ByteSource | null;
  readonly hidden = false;
  readonly keptNames = null;

  get origin(): string {
    if (this.isOwnPath) return this.folderOrPath;
    // A name holds no '/': the path join(folder, name) gives for a normalised folder (every folder below a
    // source is join()'s, and the CLI resolve()s its sources), without join's work per file.
    return this.folderOrPath.endsWith('/') ? `${this.folderOrPath}${this.name}` : `${this.folderOrPath}/${this.name}`;
  }
}

/** The node of an entry from its lstat (`path` is the entry's own, `folder` the path of the folder that listed it). */
function nodeFromStats(
  entry: { readonly name: string; readonly path: string; readonly folder: string | null },
  kind: AuthoringKind,
  stats: Stats,
  children: AuthoringNode[] | null,
  linkTarget: string | null,
  reproducible: boolean,
): AuthoringNode {
  // Times in ms as lstat gives them (Stats.mtimeMs): the write's fstat compares its own mtimeMs with this one.
  const { mode } = stats;
  const isDevice = kind === 'block-device' || kind === 'character-device';
  return new SourceNode(
    entry.name,
    kind,
    reproducible ? reproducibleMode(mode) : mode,
    reproducible ? 0 : stats.uid,
    reproducible ? 0 : stats.gid,
    stats.mtimeMs,
    stats.atimeMs,
    stats.ctimeMs,
    kind === 'file' ? stats.size : 0,
    kind === 'file' && stats.nlink > 1 ? hardLinkKey(entry.path, stats) : null,
    linkTarget,
    isDevice ? deviceOf(stats.rdev) : null,
    children,
    entry.folder ?? entry.path,
    entry.folder === null,
  );
}

/**
 * dev:ino, which names the data every name of a hard-linked file shares (st_nlink counts the names).
 * Read exactly, as bigints: an inode number past 2^53 (overlayfs's xino keeps the layer in its high
 * bits) rounds to a neighbour's as a double, and two files would share one's data. Only files with
 * several names pay for this second lstat, and it must still see the file the first one saw.
 */
function hardLinkKey(path: string, stats: Stats): string {
  const exact = attempt(() => lstatSync(path, { bigint: true }), path, 'reading its metadata');
  if (!exact.isFile() || Number(exact.dev) !== stats.dev || Number(exact.ino) !== stats.ino || Number(exact.size) !== stats.size) {
    throw new CodedError('source-changed', `${path} changed while the sources were read`, { path });
  }
  return `${exact.dev}:${exact.ino}`;
}

/** A device node's numbers from st_rdev (a double: Linux's dev_t uses 44 bits of its 64). */
function deviceOf(rdev: number): { major: number; minor: number } {
  const [major, minor] = deviceNumberOf(BigInt(rdev)).split(':').map(Number);
  return { major: major ?? 0, minor: minor ?? 0 };
}

function kindOf(stats: Stats): AuthoringKind {
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isBlockDevice()) return 'block-device';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isFIFO()) return 'fifo';
  return 'socket';
}

function byName(a: AuthoringNode, b: AuthoringNode): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** A name read as bytes, as Unicode; a name that is not UTF-8 is refused, naming its folder and its bytes. */
function utf8Name(bytes: Buffer, folder: string): string {
  const name = decodeUtf8(bytes);
  if (name === null) {
    throw new CodedError('bad-source-name', `${folder}/${escapeBytes(bytes)}: the name is not UTF-8, so no namespace of the image can hold it`, {
      path: folder,
    });
  }
  return name;
}

/** Bytes as text with the non-ASCII and control bytes escaped (\xff). */
function escapeBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)).join('');
}

/** The call's answer, or what the file system said, as fileSystemFailure names it. */
function attempt<T>(call: () => T, path: string, step: string): T {
  try {
    return call();
  } catch (error) {
    throw fileSystemFailure(error, path, step);
  }
}

/** What the file system said, as the contract names it, with the path and the step. */
function fileSystemFailure(error: unknown, path: string, step: string): unknown {
  const code = error instanceof Error && 'code' in error ? error.code : null;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'EACCES' || code === 'EPERM') return new CodedError('permission-denied', `${path}: permission denied ${step}`, { path });
  if (code === 'ENOENT') return new CodedError('source-changed', `${path} disappeared while the sources were read (${step})`, { path });
  if (code === 'ENAMETOOLONG' || code === 'ELOOP') return new CodedError('invalid-request', `${path}: ${detail}`, { path });
  return error;
}

/**
 * Closes every file of the tree still open: a write that failed or was cancelled stopped in the middle
 * of some files (a finished file closed itself after its last byte).
 */
export async function closeTreeFiles(root: AuthoringNode): Promise<void> {
  const folders: AuthoringNode[] = [root];
  const closing: Promise<void>[] = [];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    for (const child of folder.children ?? []) {
      if (child.content) closing.push(child.content.close());
      if (child.children) folders.push(child);
    }
  }
  await Promise.all(closing);
}
