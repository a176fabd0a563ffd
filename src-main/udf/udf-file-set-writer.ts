// The UDF bridge's file set (ECMA-167 part 4): planned from the tree alone (how many blocks, which
// entry goes where), rendered once the composer has placed it and every file's data. Its blocks, in
// order: the File Set Descriptor and its Terminating Descriptor, then each directory (depth first,
// children sorted by name) as its File Entry and its File Identifier Descriptors, followed by the File
// Entries of its files. File data is not here: the File Entries point at the extents ISO 9660 records
// too. Hard links are one File Entry named by several identifiers.
// Symbolic links, devices, FIFOs and sockets are left out, as the Joliet tree leaves them out (and as
// xorriso does): the bridge exists so that Windows sees the files, and 7-Zip's UDF reader (CUdfArchive)
// refuses a whole volume whose tree holds any ICB file type other than a file or a folder. Rock Ridge
// keeps them.
import { CodedError } from '../jobs/errors.ts';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { encodeDCharacters, maxExtentBytes, udfBlockBytes } from './udf-fields-writer.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { fidFlags, fileIdentifierBytes, maxShortAdsPerEntry } from './udf-file-entry-writer.ts';
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

/** One File Entry and the blocks of its own data in the file set (a directory's identifiers). */
export interface PlannedEntry {
  readonly node: AuthoringNode;
  /** Block in the file set region; -1 until a directory waiting its turn is placed. */
  block: number;
  uniqueId: number;
  linkCount: number;
  dataBlocks: number;
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
  /** What a reader of the UDF tree should know: names recorded cut, nodes left out. */
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
    const children = (entry.node.children ?? []).filter((child) => notes.recorded(child)).sort(compareNames);
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

/** Names recorded cut (the first few by path, then a count) and how many nodes other than files and folders were left out. */
class FileSetNotes {
  static readonly maxCutNamesListed = 20;
  private readonly cutNames: string[] = [];
  private cutNameCount = 0;
  private leftOutCount = 0;

  /** Whether the bridge records `node` (a file or a folder); counts it when it does not. */
  recorded(node: AuthoringNode): boolean {
    if (node.kind === 'file' || node.kind === 'directory') return true;
    this.leftOutCount += 1;
    return false;
  }

  note(node: AuthoringNode, path: string, recordedName: string): void {
    if (recordedName === node.name) return;
    this.cutNameCount += 1;
    if (this.cutNames.length < FileSetNotes.maxCutNamesListed)
      this.cutNames.push(`UDF: ${path} is longer than a 255-byte UDF identifier, recorded as ${recordedName}`);
  }

  warnings(): string[] {
    const warnings = [...this.cutNames];
    const unlisted = this.cutNameCount - this.cutNames.length;
    if (unlisted > 0) warnings.push(`UDF: ${unlisted} more names are recorded cut`);
    if (this.leftOutCount > 0) {
      warnings.push(
        `UDF: ${this.leftOutCount} symbolic links, devices, FIFOs or sockets are left out of the UDF tree, as out of the Joliet one (7-Zip refuses a UDF volume holding any); Rock Ridge keeps them`,
      );
    }
    return warnings;
  }
}

function newEntry(node: AuthoringNode): PlannedEntry {
  return { node, block: -1, uniqueId: -1, linkCount: 1, dataBlocks: 0, directory: null };
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
  refuseUnrecordable(child);
  const entry = newEntry(child);
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
