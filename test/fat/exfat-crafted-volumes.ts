// exFAT volumes crafted entry by entry for the exFAT reader's tests: an empty volume laid out by our
// writer as mkfs.exfat lays it out (fat/exfat-writer.ts), then File / Stream Extension / File Name entry
// sets (exFAT spec 7.4, 7.6, 7.7), FAT links (4.1) and allocation bitmap bits (7.1.5) written here, so a
// test can make exactly the damage it names. fsck.exfat accepts the undamaged ones.
import { exfatChecksum, exfatSetChecksum } from '../../src-main/fat/exfat-checksum.ts';
import { planExfatVolume } from '../../src-main/fat/exfat-writer.ts';
import { seededBytes } from './fat-test-volumes.ts';

export const craftedVolumeBytes = 8 * 1024 * 1024;
const entryBytes = 32;

export interface CraftedFile {
  readonly name: string;
  readonly firstCluster: number;
  readonly dataLengthBytes: number;
  readonly validDataLengthBytes?: number;
  readonly noFatChain?: boolean;
  readonly directory?: boolean;
  /** 7.4.4 FileAttributes besides Directory (0x10, set by `directory`); Archive (0x20) when absent. */
  readonly attributes?: number;
  /** 7.4.8 LastModifiedTimestamp, 7.4.9 10msIncrement, 7.4.10 UtcOffset. */
  readonly modified?: { readonly timestamp: number; readonly tenMs: number; readonly utcOffset: number };
}

export class CraftedExfat {
  readonly image = new Uint8Array(craftedVolumeBytes);
  readonly view = new DataView(this.image.buffer);
  readonly sectorBytes: number;
  readonly clusterBytes: number;
  readonly fatOffsetBytes: number;
  readonly heapOffsetBytes: number;
  readonly clusterCount: number;
  readonly rootCluster: number;
  /** Where the next entry of each directory goes (by its first cluster). */
  private readonly nextSlot = new Map<number, number>();

  private constructor(written: Uint8Array) {
    this.image.set(written);
    const sectorBytes = 2 ** (this.image[108] as number);
    this.sectorBytes = sectorBytes;
    this.clusterBytes = sectorBytes * 2 ** (this.image[109] as number);
    this.fatOffsetBytes = this.view.getUint32(80, true) * sectorBytes;
    this.heapOffsetBytes = this.view.getUint32(88, true) * sectorBytes;
    this.clusterCount = this.view.getUint32(92, true);
    this.rootCluster = this.view.getUint32(96, true);
    this.nextSlot.set(this.rootCluster, 3); // the label, bitmap and up-case table entries
  }

  static async create(): Promise<CraftedExfat> {
    const plan = planExfatVolume({ volumeSizeBytes: craftedVolumeBytes, hiddenSectors: 0, label: 'CRAFTED', volumeId: 0x1234abcd });
    return new CraftedExfat(await plan.source.read(0, plan.source.sizeBytes));
  }

  clusterOffset(cluster: number): number {
    return this.heapOffsetBytes + (cluster - 2) * this.clusterBytes;
  }

  setFat(cluster: number, value: number): void {
    this.view.setUint32(this.fatOffsetBytes + cluster * 4, value, true);
  }

  /** Marks `count` clusters from `first` in use in the bitmap (cluster 2 is bit 0, 7.1.5). */
  markUsed(first: number, count = 1): void {
    const bitmapOffset = this.clusterOffset(2);
    for (let cluster = first; cluster < first + count; cluster += 1) {
      const at = bitmapOffset + ((cluster - 2) >> 3);
      this.image[at] = (this.image[at] as number) | (1 << ((cluster - 2) & 7));
    }
  }

  /** Allocates `count` clusters from `first` as a FAT chain (or leaves the FAT alone with NoFatChain) and marks them used. */
  allocate(first: number, count: number, noFatChain = false): void {
    if (!noFatChain) for (let index = 0; index < count; index += 1) this.setFat(first + index, index === count - 1 ? 0xffffffff : first + index + 1);
    this.markUsed(first, count);
  }

  /** Writes the file's entry set into directory `parentCluster` (its one cluster) and returns where it lies. */
  addEntrySet(parentCluster: number, file: CraftedFile): number {
    const set = entrySet(file);
    const slot = this.nextSlot.get(parentCluster) ?? 0;
    const at = this.clusterOffset(parentCluster) + slot * entryBytes;
    this.image.set(set, at);
    this.nextSlot.set(parentCluster, slot + set.byteLength / entryBytes);
    return at;
  }

  /** Recomputes the boot checksum (3.4) of the main boot region after a test changed it. */
  resealBoot(): void {
    const sectorBytes = this.sectorBytes; // as written: a test may have damaged BytesPerSectorShift
    const skipped = (index: number): boolean => index === 106 || index === 107 || index === 112;
    const checksum = exfatChecksum(this.image.subarray(0, 11 * sectorBytes), skipped);
    for (let at = 11 * sectorBytes; at < 12 * sectorBytes; at += 4) this.view.setUint32(at, checksum, true);
  }

  /** Recomputes the SetChecksum of the set at `at` after a test changed it. */
  resealEntrySet(at: number): void {
    const count = 1 + (this.image[at + 1] as number);
    this.view.setUint16(at + 2, exfatSetChecksum(this.image.subarray(at, at + count * entryBytes)), true);
  }
}

/** The first cluster after the root directory's (our writer puts the bitmap, up-case table and root first). */
export const firstFreeCluster = (volume: CraftedExfat): number => volume.rootCluster + 1;

/** A volume holding /chained.bin (a FAT chain), /contiguous.bin (NoFatChain), /tail.bin (written to half its length) and /folder/inner.txt. */
export async function sampleVolume(): Promise<{ volume: CraftedExfat; contents: Map<string, Uint8Array>; records: Map<string, number> }> {
  const volume = await CraftedExfat.create();
  const clusterBytes = volume.clusterBytes;
  let next = firstFreeCluster(volume);
  const contents = new Map<string, Uint8Array>();
  const records = new Map<string, number>();
  const place = (path: string, parent: number, bytes: Uint8Array, options: { noFatChain?: boolean; validDataLengthBytes?: number } = {}): void => {
    const clusters = Math.ceil(bytes.byteLength / clusterBytes);
    volume.allocate(next, clusters, options.noFatChain);
    const written = bytes.subarray(0, options.validDataLengthBytes ?? bytes.byteLength);
    volume.image.set(written, volume.clusterOffset(next));
    const name = path.slice(path.lastIndexOf('/') + 1);
    records.set(path, volume.addEntrySet(parent, { name, firstCluster: next, dataLengthBytes: bytes.byteLength, ...options }));
    const content = new Uint8Array(bytes.byteLength);
    content.set(written);
    contents.set(path, content);
    next += clusters;
  };
  place('/chained.bin', volume.rootCluster, seededBytes(3 * clusterBytes + 100, 1));
  place('/contiguous.bin', volume.rootCluster, seededBytes(5 * clusterBytes, 2), { noFatChain: true });
  place('/tail.bin', volume.rootCluster, seededBytes(2 * clusterBytes, 3), { validDataLengthBytes: clusterBytes / 2 });
  const folder = next;
  volume.allocate(folder, 1);
  records.set('/folder', volume.addEntrySet(volume.rootCluster, { name: 'folder', firstCluster: folder, dataLengthBytes: clusterBytes, directory: true }));
  next += 1;
  place('/folder/inner.txt', folder, seededBytes(10, 4));
  return { volume, contents, records };
}

/** 7.4.8: a timestamp's fields packed as the spec lays them out. */
export function exfatTimestamp(year: number, month: number, day: number, hours: number, minutes: number, seconds: number): number {
  return (((year - 1980) << 25) | (month << 21) | (day << 16) | (hours << 11) | (minutes << 5) | (seconds >> 1)) >>> 0;
}

/** A File entry, its Stream Extension and its File Name entries, with the SetChecksum (6.3.3). */
export function entrySet(file: CraftedFile): Uint8Array {
  const units = Array.from(file.name, (character) => character.charCodeAt(0));
  const nameEntries = Math.ceil(units.length / 15);
  const set = new Uint8Array((2 + nameEntries) * entryBytes);
  const view = new DataView(set.buffer);
  set[0] = 0x85; // 7.4: File
  set[1] = 1 + nameEntries; // SecondaryCount
  view.setUint16(4, (file.directory ? 0x10 : 0) | (file.attributes ?? 0x20), true);
  const modified = file.modified ?? { timestamp: exfatTimestamp(2024, 3, 9, 14, 26, 52), tenMs: 0, utcOffset: 0x80 };
  for (const at of [8, 12, 16]) view.setUint32(at, modified.timestamp, true); // Create, LastModified, LastAccessed
  set[21] = modified.tenMs;
  set[22] = set[23] = set[24] = modified.utcOffset;
  set[32] = 0xc0; // 7.6: Stream Extension
  set[33] = 0x01 | (file.noFatChain ? 0x02 : 0); // AllocationPossible, NoFatChain
  set[35] = units.length; // NameLength
  view.setUint16(36, nameHash(file.name), true);
  view.setBigUint64(32 + 8, BigInt(file.validDataLengthBytes ?? file.dataLengthBytes), true);
  view.setUint32(32 + 20, file.firstCluster, true);
  view.setBigUint64(32 + 24, BigInt(file.dataLengthBytes), true);
  for (let entry = 0; entry < nameEntries; entry += 1) {
    const at = (2 + entry) * entryBytes;
    set[at] = 0xc1; // 7.7: File Name
    for (let unit = 0; unit < 15 && entry * 15 + unit < units.length; unit += 1) view.setUint16(at + 2 + unit * 2, units[entry * 15 + unit] as number, true);
  }
  view.setUint16(2, exfatSetChecksum(set), true);
  return set;
}

/** 7.6.4 NameHash: the 16-bit rotate-and-add of the up-cased name's UTF-16 bytes (ASCII names: toUpperCase is the up-case table). */
function nameHash(name: string): number {
  let hash = 0;
  for (const character of name.toUpperCase()) {
    const unit = character.charCodeAt(0);
    for (const byte of [unit & 0xff, unit >> 8]) hash = ((hash & 1 ? 0x8000 : 0) + (hash >>> 1) + byte) & 0xffff;
  }
  return hash;
}
