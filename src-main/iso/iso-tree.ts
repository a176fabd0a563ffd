// The namespace-neutral file tree of an ISO 9660 image: the same entries whether Rock Ridge (IEEE
// P1282), Joliet or plain ECMA-119 names them. Directories are read on demand through the source, so
// opening a 4 GiB image reads only the descriptor set and the directories asked for.
import type { ImageEntryType, ImageNamespace, ImageNamespaceChoice } from '../../shared/image.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { WorkBudget, workCosts } from '../format/work-budget.ts';
import type { Extent, FileTree, TreeEntry } from '../format/file-tree.ts';
import type { DirectoryRecord } from './directory-record.ts';
import { fileFlags, isSelfOrParent, parseDirectoryRecords } from './directory-record.ts';
import { corruptAt, readAscii, readUcs2Be } from '../format/fields.ts';
import type { RockRidgeAttributes } from './rock-ridge.ts';
import { modeType, RockRidgeReader } from './rock-ridge.ts';
import { readExtensionIdentifier, readSharingProtocol, readSystemUseEntries, visitContinuations, visitRecordSystemUse } from './system-use.ts';
import type { VolumeDescriptor, VolumeDescriptorSet } from './volume-descriptors.ts';
import { readVolumeDescriptorSet } from './volume-descriptors.ts';
import { lookupEntry, safeName, stripVersion } from '../format/tree-lookup.ts';
import { UniqueNames } from '../format/unique-names.ts';
import { walkDirectoryBatches, walkDirectoryEntries, type DirectoryWalk } from '../format/tree-walk.ts';
import { CodedError } from '../jobs/errors.ts';

export type { Extent } from '../format/file-tree.ts';

/** An ISO 9660 entry is a plain tree entry (kept as a name for the ISO callers). */
export type IsoEntry = TreeEntry;

export interface IsoImage extends FileTree {
  readonly descriptors: VolumeDescriptorSet;
  /** Rock Ridge ER extension identifiers, empty when the image has no Rock Ridge. */
  readonly rockRidgeExtensions: readonly string[];
  readonly root: IsoEntry;
  listDirectory(directory: IsoEntry): Promise<IsoEntry[]>;
  lookup(path: string): Promise<IsoEntry | null>;
  walk(from?: IsoEntry): AsyncGenerator<IsoEntry>;
  walkBatches(from?: IsoEntry): AsyncGenerator<readonly IsoEntry[]>;
}

export interface OpenIsoImageOptions {
  readonly namespace?: ImageNamespaceChoice;
  /** What reading the tree may cost; by default linear in the source's size (src-main/format/work-budget.ts). */
  readonly budget?: WorkBudget;
}

/** Limits that keep hostile trees finite. */
export const isoTreeLimits = {
  maxDepth: 256,
  maxEntries: 5_000_000,
  maxDirectoryBytes: 64 * 1024 * 1024,
} as const;

export class NamespaceUnavailableError extends CodedError {
  constructor(namespace: ImageNamespace, available: readonly ImageNamespace[]) {
    super('unsupported', `the image has no ${namespace} namespace (it has: ${available.join(', ')})`);
    this.name = 'NamespaceUnavailableError';
  }
}

/** Opens the file tree of an ISO 9660 image; null when the source is not ISO 9660 at all. */
export async function openIsoImage(source: ByteSource, options: OpenIsoImageOptions = {}): Promise<IsoImage | null> {
  const descriptors = await readVolumeDescriptorSet(source);
  if (!descriptors) return null;
  const primary = descriptors.primary;
  const blockBytes = primary.logicalBlockSizeBytes;
  const budget = options.budget ?? WorkBudget.for(source);
  const joliet = descriptors.supplementary.find((descriptor) => descriptor.jolietLevel !== null) ?? null;

  // SUSP 5.3 / RRIP 5: Rock Ridge is in use when the root's "." record starts with SP and carries
  // an ER naming RRIP (or, leniently, Rock Ridge entries such as PX without an ER, as old mkisofs wrote).
  const rootSelf = await readSelfRecord(source, primary.rootDirectoryRecord.extentLba, blockBytes, primary.rootDirectoryRecord);
  const sharing = readSharingProtocol(rootSelf);
  const rockRidgeExtensions: string[] = [];
  let hasRockRidge = false;
  if (sharing) {
    const entries = await readSystemUseEntries(rootSelf, { source, logicalBlockSizeBytes: blockBytes, skipBytes: 0, budget });
    for (const entry of entries) {
      if (entry.signature === 'ER') rockRidgeExtensions.push(readExtensionIdentifier(entry));
      if (['PX', 'NM', 'TF', 'RR'].includes(entry.signature)) hasRockRidge = true;
    }
    if (rockRidgeExtensions.some((id) => /RRIP|1282/.test(id))) hasRockRidge = true;
  }
  const namespaces: ImageNamespace[] = [];
  if (hasRockRidge) namespaces.push('rockridge');
  if (joliet) namespaces.push('joliet');
  namespaces.push('iso9660');

  const choice = options.namespace ?? 'auto';
  const namespace: ImageNamespace = choice === 'auto' ? (namespaces[0] as ImageNamespace) : choice;
  if (!namespaces.includes(namespace)) throw new NamespaceUnavailableError(namespace, namespaces);

  const tree: VolumeDescriptor = namespace === 'joliet' && joliet ? joliet : primary;
  const context: TreeContext = {
    source,
    blockBytes,
    namespace,
    skipBytes: sharing?.skipBytes ?? 0,
    useSystemUse: namespace === 'rockridge',
    budget,
    paidDirectories: new Set<number>(),
  };
  const rootRecord = tree.rootDirectoryRecord;
  const root: IsoEntry = {
    path: '/',
    name: '',
    type: 'directory',
    sizeBytes: rootRecord.dataLengthBytes,
    extents: [{ offsetBytes: rootRecord.extentLba * blockBytes, sizeBytes: rootRecord.dataLengthBytes }],
    extentLba: rootRecord.extentLba,
    hidden: false,
    recordOffsetBytes: tree.lba * 2048 + 156,
    ...(rootRecord.recordedMs !== null ? { mtimeMs: rootRecord.recordedMs } : {}),
  };

  const image: IsoImage = {
    source,
    descriptors,
    namespace,
    namespaces,
    rockRidgeExtensions,
    root,
    listDirectory: (directory) => listDirectory(context, directory),
    lookup: (path) => lookupEntry(root, (directory) => listDirectory(context, directory), path),
    walk: (from = root) => walkDirectoryEntries(from, directoryWalk(context)),
    walkBatches: (from = root) => walkDirectoryBatches(from, directoryWalk(context)),
  };
  return image;
}

interface TreeContext {
  readonly source: ByteSource;
  readonly blockBytes: number;
  readonly namespace: ImageNamespace;
  readonly skipBytes: number;
  readonly useSystemUse: boolean;
  readonly budget: WorkBudget;
  /** Directories (by first logical block) whose listing the budget has paid for once already. */
  readonly paidDirectories: Set<number>;
}

/** The walk of this tree (src-main/format/tree-walk.ts) with ECMA-119's loop and overlap checks. */
function directoryWalk(context: TreeContext): DirectoryWalk<IsoEntry> {
  return {
    maxDepth: isoTreeLimits.maxDepth,
    maxEntries: isoTreeLimits.maxEntries,
    blockBytes: context.blockBytes,
    sourceSizeBytes: context.source.sizeBytes,
    listDirectory: (directory) => listDirectory(context, directory),
    listDirectoryParts: (directory) => listDirectoryParts(context, directory),
    corrupt: (entry, message) => corruptAt({ offsetBytes: entry.recordOffsetBytes }, 0, message),
    enter(child, visited) {
      // ECMA-119 6.8.2: a directory extent reached twice is a loop, and one overlapping another
      // directory's would have its records read twice.
      const seenBlock = visited.visit(child.extents);
      if (seenBlock === child.extentLba) {
        throw corruptAt(
          { offsetBytes: child.recordOffsetBytes },
          2,
          `directory ${child.path} points at logical block ${child.extentLba}, already visited (a directory loop)`,
        );
      }
      if (seenBlock !== null) {
        throw corruptAt(
          { offsetBytes: child.recordOffsetBytes },
          2,
          `directory ${child.path} at logical block ${child.extentLba} overlaps logical block ${seenBlock} of a directory already visited`,
        );
      }
    },
  };
}

/**
 * A directory's records are read and decoded this many bytes at a time (a whole number of 2048-byte
 * sectors, so no record straddles two parts, ECMA-119 6.8.1.1): a walk hands out the first entries of
 * a 50,000-entry directory before it has decoded the rest (issue 17: first search result < 150 ms).
 */
export const directoryPartBytes = 64 * 1024;

/** ECMA-119 9.1.3-9.1.4: a directory's extent lies inside the image, and within our size bound. */
function checkDirectoryExtent(context: TreeContext, lba: number, sizeBytes: number, what: string): void {
  const offsetBytes = lba * context.blockBytes;
  if (sizeBytes > isoTreeLimits.maxDirectoryBytes) {
    throw corruptAt({ offsetBytes }, 0, `${what} declares ${sizeBytes} bytes, more than the ${isoTreeLimits.maxDirectoryBytes}-byte limit`);
  }
  if (offsetBytes + sizeBytes > context.source.sizeBytes) {
    throw corruptAt(
      { offsetBytes: 0 },
      offsetBytes,
      `${what} extent of ${sizeBytes} bytes at logical block ${lba} runs past the image end (${context.source.sizeBytes} bytes)`,
    );
  }
}

/** The "." record of the directory at `lba` (its first record, ECMA-119 6.8.2.2). */
async function readSelfRecord(source: ByteSource, lba: number, blockBytes: number, referrer: DirectoryRecord): Promise<DirectoryRecord> {
  const offsetBytes = lba * blockBytes;
  if (offsetBytes + 2048 > source.sizeBytes) {
    throw corruptAt({ offsetBytes: referrer.offsetBytes }, 2, `directory at logical block ${lba} lies past the image end (${source.sizeBytes} bytes)`);
  }
  const sector = await source.read(offsetBytes, 2048);
  const records = parseDirectoryRecords(sector.subarray(0, Math.max(1, sector[0] as number)), { offsetBytes });
  const self = records[0];
  if (!self || !isSelfOrParent(self) || self.identifier[0] !== 0) {
    throw corruptAt({ offsetBytes }, 0, `logical block ${lba} does not start with a directory's "." record`);
  }
  return self;
}

async function listDirectory(context: TreeContext, directory: IsoEntry): Promise<IsoEntry[]> {
  const entries: IsoEntry[] = [];
  for await (const part of listDirectoryParts(context, directory)) entries.push(...part);
  return entries;
}

/** A directory's entries, one array per `directoryPartBytes` of its records (the walk's batches). */
async function* listDirectoryParts(context: TreeContext, directory: IsoEntry): AsyncGenerator<IsoEntry[]> {
  if (directory.type !== 'directory') return;
  const extent = directory.extents[0];
  if (!extent) return;
  const lba = directory.extentLba;
  const what = `directory ${directory.path}`;
  checkDirectoryExtent(context, lba, extent.sizeBytes, what);
  // The budget pays for a directory's listing once: listing it again (a lookup for each of many paths)
  // repeats work the image already paid for, and a hostile image cannot multiply it.
  const budget = context.paidDirectories.has(lba) ? null : context.budget;
  const names = new UniqueNames();
  const state: DirectoryState = { pending: null, recordCount: 0 };
  // One reader for every record of the directory, reset per record: nothing allocated per record.
  const reader = context.useSystemUse ? new RockRidgeReader() : null;
  for (let partStartBytes = 0; partStartBytes < extent.sizeBytes; partStartBytes += directoryPartBytes) {
    const offsetBytes = lba * context.blockBytes + partStartBytes;
    const read = await context.source.read(offsetBytes, Math.min(directoryPartBytes, extent.sizeBytes - partStartBytes));
    budget?.spend(read.byteLength, `listing ${directory.path}`);
    // A Buffer view (no copy): names then decode with Buffer's fast UTF-8 decoder.
    const bytes = Buffer.from(read.buffer, read.byteOffset, read.byteLength);
    const records = parseDirectoryRecords(bytes, { offsetBytes }, state.recordCount);
    state.recordCount += records.length;
    const entries: IsoEntry[] = [];
    for (const record of records) {
      const entry = await recordEntry(context, directory, record, reader, budget, state);
      if (entry) pushUnique(entries, names, entry, budget);
    }
    yield entries;
  }
  if (state.pending) throw corruptAt({ offsetBytes: state.pending.record.offsetBytes }, 25, 'multi-extent file has no final record in its directory');
  context.paidDirectories.add(lba);
}

/** What decoding a directory carries from one record to the next. */
interface DirectoryState {
  /** A multi-extent file whose final record is still to come (ECMA-119 6.5.1). */
  pending: { record: DirectoryRecord; rockRidge: RockRidgeAttributes | null; extents: Extent[] } | null;
  recordCount: number;
}

/** The entry one record completes, or null (".", "..", an associated file, a multi-extent file's part). */
async function recordEntry(
  context: TreeContext,
  directory: IsoEntry,
  record: DirectoryRecord,
  reader: RockRidgeReader | null,
  budget: WorkBudget | null,
  state: DirectoryState,
): Promise<IsoEntry | null> {
  if (isSelfOrParent(record)) return null;
  // ECMA-119 9.1.6 bit 2: associated files (Apple resource forks) belong to the file of the same name.
  if (record.flags & fileFlags.associated) return null;
  const extentEnd = (record.extentLba + record.extendedAttributeBlocks) * context.blockBytes + record.dataLengthBytes;
  const dataExtent: Extent = { offsetBytes: (record.extentLba + record.extendedAttributeBlocks) * context.blockBytes, sizeBytes: record.dataLengthBytes };
  if (record.dataLengthBytes > 0 && extentEnd > context.source.sizeBytes && (record.flags & fileFlags.directory) === 0) {
    throw corruptAt(
      { offsetBytes: record.offsetBytes },
      2,
      `file extent of ${record.dataLengthBytes} bytes at logical block ${record.extentLba} runs past the image end (${context.source.sizeBytes} bytes)`,
    );
  }
  // ECMA-119 6.5.1 / 9.1.6 bit 7: a multi-extent file continues in the next record(s) of the same name.
  const pending = state.pending;
  if (pending) {
    if (!sameIdentifier(pending.record, record)) {
      throw corruptAt({ offsetBytes: record.offsetBytes }, 0, 'multi-extent file ends without its final record');
    }
    pending.extents.push(dataExtent);
    if (pending.extents.length > 1024) throw corruptAt({ offsetBytes: record.offsetBytes }, 0, 'multi-extent file has more than 1024 extents');
    if (record.flags & fileFlags.multiExtent) return null;
    state.pending = null;
    return makeEntry(context, directory, pending.record, pending.rockRidge, pending.extents);
  }
  let rockRidge: RockRidgeReader | null = null;
  if (reader) {
    reader.reset();
    // Most records keep all their entries inline: only a CE makes this wait for another read.
    const continuation = visitRecordSystemUse(record, context.skipBytes, reader);
    if (continuation)
      await visitContinuations(
        record,
        continuation,
        { source: context.source, logicalBlockSizeBytes: context.blockBytes, skipBytes: context.skipBytes, budget },
        reader,
      );
    rockRidge = reader;
  }
  if (record.flags & fileFlags.multiExtent && (record.flags & fileFlags.directory) === 0) {
    state.pending = { record, rockRidge: rockRidge?.snapshot() ?? null, extents: [dataExtent] };
    return null;
  }
  return rockRidge !== null && rockRidge.childLinkLba !== null && !rockRidge.relocated
    ? makeChildLinkEntry(context, directory, record, rockRidge.snapshot(), rockRidge.childLinkLba)
    : makeEntry(context, directory, record, rockRidge, [dataExtent]);
}

/** Adds an entry under a name unique in its directory (src-main/format/unique-names.ts), paying for it. */
function pushUnique(entries: IsoEntry[], names: UniqueNames, entry: IsoEntry, budget: WorkBudget | null): void {
  budget?.spend(workCosts.entryBytes, `entry ${entry.path}`);
  const name = names.claim(entry.name);
  entries.push(name === entry.name ? entry : { ...entry, name, path: entry.path.replace(/[^/]*$/, name) });
}

function sameIdentifier(a: DirectoryRecord, b: DirectoryRecord): boolean {
  if (a.identifier.byteLength !== b.identifier.byteLength) return false;
  return a.identifier.every((byte, index) => byte === b.identifier[index]);
}

/** The entry for a record; null for a relocated directory (RRIP 4.1.5.3: shown where its CL points from). */
function makeEntry(context: TreeContext, parent: IsoEntry, record: DirectoryRecord, rockRidge: RockRidgeAttributes | null, extents: Extent[]): IsoEntry | null {
  if (rockRidge?.relocated) return null;
  const name = safeName(recordName(context.namespace, record, rockRidge));
  const type = entryType(record, rockRidge);
  // zisofs_format.txt: version 1 is "pz" only; version 2 names its algorithm (read-entry refuses all but zlib).
  const zisofs = type === 'file' && rockRidge?.zisofs && (rockRidge.zisofs.version === 2 || rockRidge.zisofs.algorithm === 'pz') ? rockRidge.zisofs : undefined;
  let sizeBytes = 0;
  if (type === 'file' || type === 'directory') for (const extent of extents) sizeBytes += extent.sizeBytes;
  if (zisofs) sizeBytes = zisofs.uncompressedSizeBytes;
  const path = parent.path === '/' ? `/${name}` : `${parent.path}/${name}`;
  const hidden = (record.flags & fileFlags.hidden) !== 0;
  const entryExtents = type === 'directory' ? [{ offsetBytes: record.extentLba * context.blockBytes, sizeBytes: record.dataLengthBytes }] : extents;
  const mtimeMs = rockRidge?.modifiedMs ?? record.recordedMs;
  let entry: Mutable<IsoEntry>;
  if (rockRidge !== null && rockRidge.mode !== null && rockRidge.uid !== null && rockRidge.gid !== null && mtimeMs !== null) {
    // Rock Ridge gives (nearly) every entry a mode, owner and time: one literal gives the entry its
    // final shape at once; properties added afterwards would grow a separate store per entry.
    entry = {
      path,
      name,
      type,
      sizeBytes,
      hidden,
      recordOffsetBytes: record.offsetBytes,
      extents: entryExtents,
      extentLba: record.extentLba,
      mtimeMs,
      mode: rockRidge.mode,
      uid: rockRidge.uid,
      gid: rockRidge.gid,
    };
    if (rockRidge.device) entry.device = rockRidge.device;
  } else {
    entry = { path, name, type, sizeBytes, hidden, recordOffsetBytes: record.offsetBytes, extents: entryExtents, extentLba: record.extentLba };
    addAttributes(entry, mtimeMs, rockRidge);
  }
  if (type === 'symlink' && rockRidge?.symlinkTarget != null) entry.target = rockRidge.symlinkTarget;
  if (zisofs) {
    entry.zisofs = zisofs;
    entry.compressed = true;
  }
  return entry;
}

/** RRIP 4.1.5.1: a CL placeholder stands for the directory relocated to that block. */
async function makeChildLinkEntry(
  context: TreeContext,
  parent: IsoEntry,
  record: DirectoryRecord,
  rockRidge: RockRidgeAttributes,
  childLinkLba: number,
): Promise<IsoEntry> {
  const self = await readSelfRecord(context.source, childLinkLba, context.blockBytes, record);
  if ((self.flags & fileFlags.directory) === 0) {
    throw corruptAt({ offsetBytes: record.offsetBytes }, 0, `CL entry points at logical block ${childLinkLba}, which is not a directory`);
  }
  const name = safeName(recordName(context.namespace, record, rockRidge));
  const entry: Mutable<IsoEntry> = {
    path: parent.path === '/' ? `/${name}` : `${parent.path}/${name}`,
    name,
    type: 'directory',
    sizeBytes: self.dataLengthBytes,
    hidden: (record.flags & fileFlags.hidden) !== 0,
    recordOffsetBytes: record.offsetBytes,
    extents: [{ offsetBytes: self.extentLba * context.blockBytes, sizeBytes: self.dataLengthBytes }],
    extentLba: self.extentLba,
  };
  addAttributes(entry, rockRidge.modifiedMs ?? record.recordedMs, rockRidge);
  return entry;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function addAttributes(entry: Mutable<IsoEntry>, mtimeMs: number | null, rockRidge: RockRidgeAttributes | null): void {
  if (mtimeMs !== null) entry.mtimeMs = mtimeMs;
  if (rockRidge?.mode != null) entry.mode = rockRidge.mode;
  if (rockRidge?.device) entry.device = rockRidge.device;
  if (rockRidge?.uid != null) entry.uid = rockRidge.uid;
  if (rockRidge?.gid != null) entry.gid = rockRidge.gid;
}

function entryType(record: DirectoryRecord, rockRidge: RockRidgeAttributes | null): ImageEntryType {
  if (record.flags & fileFlags.directory) return 'directory';
  if (rockRidge?.symlinkTarget !== null && rockRidge?.symlinkTarget !== undefined) return 'symlink';
  if (rockRidge?.mode !== null && rockRidge?.mode !== undefined) {
    const kind = rockRidge.mode & modeType.mask;
    if (kind === modeType.symlink) return 'symlink';
    if (kind !== modeType.regular && kind !== 0) return 'other';
  }
  return 'file';
}

/** The name a namespace gives a record (before making it path-safe). */
function recordName(namespace: ImageNamespace, record: DirectoryRecord, rockRidge: RockRidgeAttributes | null): string {
  if (namespace === 'rockridge' && rockRidge?.name) return rockRidge.name;
  // The place of record.bytes[0], so errors name the identifier's own offset.
  const place = { offsetBytes: record.offsetBytes + 33 - record.identifierStart };
  if (namespace === 'joliet') return stripVersion(readUcs2Be(record.bytes, record.identifierStart, record.identifierBytes, place, 'Joliet file identifier'));
  return stripVersion(readAscii(record.bytes, record.identifierStart, record.identifierBytes, place, 'file identifier'));
}
