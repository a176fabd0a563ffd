// The UDF bridge's file set (ECMA-167 part 4): planned from the tree alone (how many blocks, which
// entry goes where), rendered once the composer has placed it and every file's data. Its blocks, in
// order: the File Set Descriptor and its Terminating Descriptor, then each directory (depth first,
// children sorted by name) as its File Entry and its File Identifier Descriptors, followed by the File
// Entries of its files, symlinks and devices. File data is not here: the File Entries point at the
// extents ISO 9660 records too. Hard links are one File Entry named by several identifiers.
import { CodedError } from '../jobs/errors.ts';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { encodeDCharacters, maxExtentBytes, udfBlockBytes } from './udf-fields-writer.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { encodeSymlinkTarget, fidFlags, fileIdentifierBytes, maxEmbeddedBytes, maxShortAdsPerEntry } from './udf-file-entry-writer.ts';
import { fileSetHeaderBlocks, fileSetSource } from './udf-file-set-source.ts';
import { udfNamesForDirectory } from './udf-names-writer.ts';

/** OSTA UDF 3.2.1.1 (the Logical Volume Header's unique id): 0 is the root's, 1-15 are reserved. */
const firstUniqueId = 16;
/** ECMA-167 4/14.4: a parent FID has no identifier: 38 bytes padded to 40. */
const parentFidBytes = fileIdentifierBytes(new Uint8Array(0));

export interface PlannedChild {
  readonly identifier: Uint8Array;
  readonly characteristics: number;
  readonly entry: PlannedEntry;
}

/** One File Entry and the blocks of its own data in the file set (a directory's identifiers, a long link). */
export interface PlannedEntry {
  readonly node: AuthoringNode;
  /** Block in the file set region; -1 until a directory waiting its turn is placed. */
  block: number;
  uniqueId: number;
  linkCount: number;
  dataBlocks: number;
  /** A symbolic link's path components. */
  readonly symlink: Uint8Array | null;
  /** A directory (set when it is placed): its parent, its children, and where each identifier starts in its data (the parent's at 0). */
  directory: PlannedDirectory | null;
}

export interface PlannedDirectory {
  readonly parent: PlannedEntry;
  readonly children: readonly PlannedChild[];
  /** Byte offsets of the parent FID and each child's FID in the directory's data, then its length: children + 2 numbers. */
  readonly fidOffsets: readonly number[];
  readonly fidBytes: number;
}

export interface FileSetPlan {
  readonly sectorCount: number;
  /** What a reader of the UDF tree should know: names recorded cut, nodes some readers refuse. */
  readonly warnings: readonly string[];
  readonly fileCount: number;
  readonly directoryCount: number;
  readonly nextUniqueId: number;
  /** The file set's bytes, rendered block by block as they are read (a File Entry per node never sits in memory at once). */
  render(at: FileSetAddresses): ByteSource;
}

export interface FileSetAddresses {
  /** Partition-relative block of the file set region's first block. */
  readonly firstBlock: number;
  readonly partitionStartLba: number;
  readonly partitionBlocks: number;
  readonly recordedMs: number;
  readonly fixedFileTimesMs: number | null;
  readonly identifier: string;
  extentsOf(node: AuthoringNode): readonly { readonly lba: number; readonly sizeBytes: number }[];
}

function compareNames(a: AuthoringNode, b: AuthoringNode): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Plans the file set of `root`'s tree: every block it needs, with no address yet. */
export function planFileSet(root: AuthoringNode): FileSetPlan {
  const entries: PlannedEntry[] = [];
  const byLinkKey = new Map<string, PlannedEntry>();
  let nextBlock = fileSetHeaderBlocks;
  let nextUniqueId = firstUniqueId;
  const place = (entry: PlannedEntry, uniqueId: number | null): void => {
    entry.block = nextBlock;
    entry.uniqueId = uniqueId ?? nextUniqueId++;
    nextBlock += 1 + entry.dataBlocks;
    entries.push(entry);
  };
  const rootEntry = newEntry(root);
  rootEntry.linkCount = 1;
  const notes = new FileSetNotes();
  const waiting: { entry: PlannedEntry; parent: PlannedEntry; path: string }[] = [{ entry: rootEntry, parent: rootEntry, path: '' }];
  for (let next = waiting.pop(); next; next = waiting.pop()) {
    const { entry, parent, path } = next;
    const children = [...(entry.node.children ?? [])].sort(compareNames);
    const names = udfNamesForDirectory(children.map((child) => child.name));
    const identifiers = names.map(encodeDCharacters);
    const planned: PlannedChild[] = [];
    const subdirectories: PlannedEntry[] = [];
    const fidOffsets = [0, parentFidBytes];
    for (const identifier of identifiers) fidOffsets.push((fidOffsets[fidOffsets.length - 1] as number) + fileIdentifierBytes(identifier));
    const fidBytes = fidOffsets[fidOffsets.length - 1] as number;
    entry.dataBlocks = Math.ceil(fidBytes / udfBlockBytes);
    place(entry, entry === rootEntry ? 0 : null);
    children.forEach((child, index) => {
      notes.note(child, `${path}/${child.name}`, names[index] as string);
      const childEntry = plannedChildEntry(child, byLinkKey, place);
      if (child.kind === 'directory') {
        subdirectories.push(childEntry);
        // ECMA-167 4/14.9.6 (as genisoimage and Linux count): a directory is named by its own FID and by each subdirectory's parent FID.
        entry.linkCount += 1;
      }
      const characteristics = (child.kind === 'directory' ? fidFlags.directory : 0) | (child.hidden ? fidFlags.hidden : 0);
      planned.push({ identifier: identifiers[index] as Uint8Array, characteristics, entry: childEntry });
    });
    entry.directory = { parent, children: planned, fidOffsets, fidBytes };
    for (const subdirectory of subdirectories.reverse()) waiting.push({ entry: subdirectory, parent: entry, path: `${path}/${subdirectory.node.name}` });
  }
  const directoryCount = entries.filter((entry) => entry.directory !== null).length;
  return {
    sectorCount: nextBlock,
    warnings: notes.warnings(),
    fileCount: entries.length - directoryCount,
    directoryCount,
    nextUniqueId,
    render: (at) => fileSetSource(entries, rootEntry, nextBlock, at),
  };
}

/** Names recorded cut (the first few by path, then a count) and nodes other than files and folders. */
class FileSetNotes {
  static readonly maxCutNamesListed = 20;
  private readonly cutNames: string[] = [];
  private cutNameCount = 0;
  private posixOnlyCount = 0;

  note(node: AuthoringNode, path: string, recordedName: string): void {
    if (node.kind !== 'file' && node.kind !== 'directory') this.posixOnlyCount += 1;
    if (recordedName === node.name) return;
    this.cutNameCount += 1;
    if (this.cutNames.length < FileSetNotes.maxCutNamesListed)
      this.cutNames.push(`UDF: ${path} is longer than a 255-byte UDF identifier, recorded as ${recordedName}`);
  }

  warnings(): string[] {
    const warnings = [...this.cutNames];
    const unlisted = this.cutNameCount - this.cutNames.length;
    if (unlisted > 0) warnings.push(`UDF: ${unlisted} more names are recorded cut`);
    if (this.posixOnlyCount > 0) {
      warnings.push(
        `UDF: ${this.posixOnlyCount} symbolic links, devices, FIFOs or sockets are recorded as ECMA-167 allows; 7-Zip refuses a UDF volume holding any (its UDF reader takes only files and folders)`,
      );
    }
    return warnings;
  }
}

function newEntry(node: AuthoringNode): PlannedEntry {
  return { node, block: -1, uniqueId: -1, linkCount: 1, dataBlocks: 0, symlink: null, directory: null };
}

/** The entry a child's identifier names: a new one, or for a further hard link the entry its first name got. */
function plannedChildEntry(child: AuthoringNode, byLinkKey: Map<string, PlannedEntry>, place: (entry: PlannedEntry, uniqueId: null) => void): PlannedEntry {
  if (child.kind === 'directory') {
    const entry = newEntry(child);
    entry.linkCount = 1;
    return entry;
  }
  const linked = child.hardLinkKey === null ? undefined : byLinkKey.get(child.hardLinkKey);
  if (linked) {
    linked.linkCount += 1;
    return linked;
  }
  let entry: PlannedEntry;
  if (child.kind === 'symlink') {
    const symlink = encodeSymlinkTarget(child.linkTarget ?? '');
    // A path that fits is kept in the File Entry itself (4/14.6.8 type 3); a longer one gets blocks after it.
    entry = { ...newEntry(child), symlink, dataBlocks: symlink.byteLength <= maxEmbeddedBytes ? 0 : Math.ceil(symlink.byteLength / udfBlockBytes) };
  } else {
    entry = newEntry(child);
    if (child.kind === 'file') refuseUnrecordable(child);
  }
  if (child.hardLinkKey !== null) byLinkKey.set(child.hardLinkKey, entry);
  place(entry, null);
  return entry;
}

/** A File Entry holds 234 short_ads of up to 2^30 - 2048 bytes each: files up to about 234 GiB (no allocation extent chains here). */
function refuseUnrecordable(node: AuthoringNode): void {
  const descriptors = Math.ceil(node.sizeBytes / maxExtentBytes);
  if (descriptors > maxShortAdsPerEntry) {
    throw new CodedError(
      'file-too-large',
      `${node.origin} holds ${node.sizeBytes} bytes, which takes ${descriptors} UDF allocation descriptors; a UDF 1.02 File Entry holds ${maxShortAdsPerEntry} (${maxShortAdsPerEntry * maxExtentBytes} bytes)`,
    );
  }
}
