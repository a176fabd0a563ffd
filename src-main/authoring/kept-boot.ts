// The boot of a remastered image, kept from the original (issue 15): every El Torito 2.0 catalog
// entry (boot indicator, platform, media type, load segment, system type, load size, boot info table) with its image,
// and the hybrid system area's MBR boot code, GPT and APM, as the composer's BootImageSpec list and
// HybridSpec. Every fact comes from the original's bytes, read in this run.
import type { RemasterEdit } from '../../shared/authoring.ts';
import type { BootWarning, ElToritoEmulation, ElToritoPlatform, MbrBootCodeKind, MbrReport } from '../../shared/boot.ts';
import { readBootCatalog, type CatalogEntry } from '../boot/boot-catalog.ts';
import { hasBootInfoTable } from '../boot/boot-info-table.ts';
import { readApplePartitionMap } from '../disk/apple-partition-map.ts';
import { readGuidPartitionTable } from '../disk/guid-partition-table.ts';
import { diskSectorBytes, parseMasterBootRecord, readMasterBootRecord } from '../disk/master-boot-record.ts';
import { findAuthoringNode, type AuthoringNode } from '../format/authoring-tree.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { corruptAt, sectorBytes as isoSectorBytes } from '../format/fields.ts';
import { composeSource } from '../io/composed-source.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { CodedError } from '../jobs/errors.ts';
import type { BootImageSpec, HybridSpec } from './iso-authoring.ts';
import { pathAfterEdits } from './remaster-edits.ts';

/** isohybrid's and GRUB's MBR boot code is bytes 0-431; 432-439 hold the boot image's address, patched anew. */
export const mbrBootCodeBytes = 432;
/** xorriso --grub2-boot-info's place in GRUB's eltorito.img (boot/el-torito-writer.ts withGrub2BootInfo). */
const grub2BootInfoOffset = 2548;
/** El Torito 1.0 table 7: the floppy images' sizes (1.2, 1.44 and 2.88 MB diskettes). */
const floppyBytes: Partial<Record<ElToritoEmulation, number>> = { 'floppy-1.2': 1_228_800, 'floppy-1.44': 1_474_560, 'floppy-2.88': 2_949_120 };
const mediaTypes: readonly ElToritoEmulation[] = ['none', 'floppy-1.2', 'floppy-1.44', 'floppy-2.88', 'hard-disk'];

export interface KeptBoot {
  /** Images in the tree are named by their path in the original tree (before edits). */
  readonly entries: readonly BootImageSpec[];
  readonly hybrid: HybridSpec | null;
  /** What was kept, in words for the plan's `boot.detected`. */
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** Where the original's tree puts things: the file starting at each LBA, and every extent's first LBA (sorted). */
export interface OriginalLayout {
  readonly filePathByLba: ReadonlyMap<number, string>;
  readonly usedLbas: readonly number[];
  /** ECMA-119 8.4.8: the volume's size in 2048-byte sectors (a gap ends there at the latest). */
  readonly volumeSectorCount: number;
}

/** A partition of the original's MBR or GPT, in 512-byte sectors. */
interface DiskPartition {
  readonly startSector512: number;
  readonly sectorCount512: number;
}

/** Reads the El Torito catalog at `catalogLba` (null: no boot record) and the system area of `source`. */
export async function readKeptBoot(source: ByteSource, catalogLba: number | null, layout: OriginalLayout): Promise<KeptBoot> {
  const warnings: string[] = [];
  const notes: string[] = [];
  const system = await readSystemArea(source, warnings);
  const entries: BootImageSpec[] = [];
  if (catalogLba !== null) {
    const catalog = await readBootCatalog(source, catalogLba);
    // The catalog's own sector and every boot image end a hidden image's gap.
    const bounds = [...layout.usedLbas, catalogLba, layout.volumeSectorCount, ...catalog.entries.map((entry) => entry.imageLba)].sort((a, b) => a - b);
    const hidden = new Map<number, { source: ByteSource; description: string }>();
    for (const entry of catalog.entries) {
      const spec = await keptEntry(source, entry, { layout, bounds, partitions: system.partitions, hidden });
      entries.push(spec);
      notes.push(`kept from the original: ${describeEntry(entry, spec)}`);
    }
  }
  if (system.hybrid) notes.push(`kept from the original: ${describeHybrid(system.hybrid, system.mbrCodeKind)}`);
  return { entries, hybrid: system.hybrid, notes, warnings };
}

interface EntryContext {
  readonly layout: OriginalLayout;
  readonly bounds: readonly number[];
  readonly partitions: readonly DiskPartition[];
  /** Hidden images by LBA: entries sharing one image share its source. */
  readonly hidden: Map<number, { source: ByteSource; description: string }>;
}

async function keptEntry(source: ByteSource, entry: CatalogEntry, context: EntryContext): Promise<BootImageSpec> {
  const startSector512 = entry.imageLba * (isoSectorBytes / diskSectorBytes);
  // mkisofs -boot-info-table: kept only where the original's image carries a table that matches it.
  const bootInfoTable = entry.emulation === 'none' && (await hasBootInfoTable(source, entry.imageLba));
  const path = context.layout.filePathByLba.get(entry.imageLba);
  let image: BootImageSpec['image'];
  if (path !== undefined) image = { path };
  else {
    let hidden = context.hidden.get(entry.imageLba);
    if (!hidden) {
      hidden = await hiddenImage(source, { entry, bootInfoTable }, context);
      context.hidden.set(entry.imageLba, hidden);
      refuseHiddenImagesBeyondOriginal(source, context.hidden);
    }
    image = hidden;
  }
  return {
    platformId: platformIdOf(entry.platform),
    mediaType: mediaTypes.indexOf(entry.emulation),
    loadSegment: entry.loadSegment,
    systemType: entry.systemType,
    loadSectorCount: entry.sectorCount,
    bootable: entry.bootable,
    bootInfoTable,
    grub2BootInfo: entry.emulation === 'none' && (await hasGrub2BootInfo(source, entry.imageLba)),
    image,
    partition: context.partitions.some((partition) => partition.startSector512 === startSector512),
  };
}

/**
 * xorriso --grub2-boot-info: GRUB's eltorito.img holds, at byte 2548, the 64-bit little-endian
 * 512-byte sector of its own byte 2560 (image LBA * 4 + 5), where core.img continues. The original
 * had the patch when that number is there; the new image patches it for the image's new place.
 */
async function hasGrub2BootInfo(source: ByteSource, imageLba: number): Promise<boolean> {
  const offsetBytes = imageLba * isoSectorBytes + grub2BootInfoOffset;
  if (offsetBytes + 8 > source.sizeBytes) return false;
  const bytes = await source.read(offsetBytes, 8);
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true) === BigInt(imageLba) * 4n + 5n;
}

/**
 * A boot image no file of the tree records (xorriso -hide, a floppy kept only in the catalog, an
 * appended partition): its bytes are read from the original. El Torito records no image size, so
 * it is judged, in this order:
 * - no emulation with a boot info table: the length the table records (mkisofs bi_length), checked
 *   by its checksum;
 * - floppy emulation: the diskette's size (El Torito 1.0 table 7);
 * - hard-disk emulation: the end of the last partition of the image's own MBR (El Torito 1.0 2.5);
 * - a partition of the original's MBR or GPT starting at the image (an EFI image made a partition);
 * - the gap up to the next extent, the catalog, another boot image or the volume's end, which holds
 *   the whole image wherever a writer laid it out contiguously, as every one does;
 * - else the catalog's load size (512-byte sectors), the least the firmware reads.
 */
async function hiddenImage(
  source: ByteSource,
  { entry, bootInfoTable }: { entry: CatalogEntry; bootInfoTable: boolean },
  context: EntryContext,
): Promise<{ source: ByteSource; description: string }> {
  const offsetBytes = entry.imageLba * isoSectorBytes;
  const place = { offsetBytes, sectorBytes: isoSectorBytes };
  if (offsetBytes >= source.sizeBytes) {
    throw corruptAt(place, 0, `boot image at LBA ${entry.imageLba} lies past the end of the image (${source.sizeBytes} bytes)`);
  }
  const judged = bootInfoTable ? await bootInfoTableLength(source, entry.imageLba) : await judgeHiddenImageBytes(source, entry, context);
  const availableBytes = source.sizeBytes - offsetBytes;
  if (judged.sizeBytes > availableBytes) {
    throw corruptAt(
      place,
      0,
      `boot image at LBA ${entry.imageLba} needs ${judged.sizeBytes} bytes (${judged.how}), the image holds ${availableBytes} from there`,
    );
  }
  const sizeBytes = judged.sizeBytes;
  const description = `hidden image from the original, ${(sizeBytes / 1024 / 1024).toFixed(1)} MiB at LBA ${entry.imageLba} (${judged.how})`;
  return {
    source: composeSource(`${source.name}:boot image at LBA ${entry.imageLba}`, sizeBytes, [
      { offsetBytes: 0, lengthBytes: sizeBytes, source, sourceOffsetBytes: offsetBytes },
    ]),
    description,
  };
}

/**
 * Honest originals hold their hidden boot images side by side, so together they fit in the original;
 * a hostile catalog of many entries whose images overlap would make the copy many times its size.
 */
function refuseHiddenImagesBeyondOriginal(source: ByteSource, hidden: ReadonlyMap<number, { source: ByteSource }>): void {
  let totalBytes = 0;
  for (const image of hidden.values()) totalBytes += image.source.sizeBytes;
  if (totalBytes > source.sizeBytes) {
    throw corruptAt(
      { offsetBytes: 0, sectorBytes: isoSectorBytes },
      0,
      `the boot catalog's ${hidden.size} hidden boot images claim ${totalBytes} bytes together, more than the whole image (${source.sizeBytes} bytes): they overlap`,
    );
  }
}

/** mkisofs: bi_length, the image's length in bytes, at byte 16 of a boot info table (boot/boot-info-table.ts checked it). */
async function bootInfoTableLength(source: ByteSource, imageLba: number): Promise<{ sizeBytes: number; how: string }> {
  const bytes = await source.read(imageLba * isoSectorBytes + 16, 4);
  return { sizeBytes: new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true), how: 'its boot info table' };
}

async function judgeHiddenImageBytes(source: ByteSource, entry: CatalogEntry, context: EntryContext): Promise<{ sizeBytes: number; how: string }> {
  const floppy = floppyBytes[entry.emulation];
  if (floppy !== undefined) return { sizeBytes: floppy, how: `${entry.emulation} diskette` };
  if (entry.emulation === 'hard-disk') {
    const sector = await source.read(entry.imageLba * isoSectorBytes, diskSectorBytes);
    const mbr = parseMasterBootRecord(sector, { imageSizeBytes: Number.MAX_SAFE_INTEGER });
    const endSector512 = Math.max(0, ...(mbr?.partitions ?? []).map((partition) => partition.startLba + partition.sectorCount));
    if (endSector512 > 0) return { sizeBytes: endSector512 * diskSectorBytes, how: 'its own MBR' };
  }
  const startSector512 = entry.imageLba * (isoSectorBytes / diskSectorBytes);
  const partition = context.partitions.find((candidate) => candidate.startSector512 === startSector512);
  if (partition) return { sizeBytes: partition.sectorCount512 * diskSectorBytes, how: 'its partition' };
  const nextLba = firstAbove(context.bounds, entry.imageLba);
  if (nextLba !== null) return { sizeBytes: (nextLba - entry.imageLba) * isoSectorBytes, how: 'up to the next extent' };
  return { sizeBytes: Math.max(1, entry.sectorCount) * diskSectorBytes, how: 'its load size' };
}

/** The smallest value above `lba` in the sorted `values`, or null (binary search: catalogs may hold 1,024 entries). */
function firstAbove(values: readonly number[], lba: number): number | null {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) <= lba) low = middle + 1;
    else high = middle;
  }
  return low < values.length ? (values[low] as number) : null;
}

/** El Torito 1.0 2.1: the platform id byte of a parsed platform. */
function platformIdOf(platform: ElToritoPlatform): number {
  switch (platform) {
    case 'x86':
      return 0;
    case 'ppc':
      return 1;
    case 'mac':
      return 2;
    case 'efi':
      return 0xef;
    default:
      return platform;
  }
}

interface SystemArea {
  readonly hybrid: HybridSpec | null;
  /** Whose MBR boot code it is (disk/master-boot-record.ts classifies it), for the plan's words. */
  readonly mbrCodeKind: MbrBootCodeKind | null;
  /** Partitions that start past sector 0 (the isohybrid partition covering the whole image is not an image's). */
  readonly partitions: readonly DiskPartition[];
}

/**
 * The hybrid layout to make again: MBR boot code when the original is isohybrid (code, and a
 * partition from sector 0 or code SYSLINUX or GRUB wrote), a GPT when it had one, an APM when it had one.
 * A damaged GPT or APM is not kept (a warning says so): it could not have booted as it was.
 */
async function readSystemArea(source: ByteSource, warnings: string[]): Promise<SystemArea> {
  const mbr = await readMasterBootRecord(source);
  const bootWarnings: BootWarning[] = [];
  const gpt = await readOrWarn(() => readGuidPartitionTable(source, bootWarnings), 'GPT', warnings);
  for (const warning of bootWarnings) warnings.push(`the original's GPT: ${warning.message}`);
  const apm = await readOrWarn(() => readApplePartitionMap(source), 'Apple partition map', warnings);
  const partitions: DiskPartition[] = [];
  for (const partition of mbr?.partitions ?? []) {
    if (partition.type !== 0xee && partition.startLba > 0) partitions.push({ startSector512: partition.startLba, sectorCount512: partition.sectorCount });
  }
  for (const partition of gpt?.partitions ?? []) {
    if (partition.firstLba > 0) partitions.push({ startSector512: partition.firstLba, sectorCount512: partition.lastLba - partition.firstLba + 1 });
  }
  const mbrBootCode = mbr && isHybridMbr(mbr) ? (await source.read(0, mbrBootCodeBytes)).slice() : null;
  const hybrid = mbrBootCode || gpt || apm ? { mbrBootCode, gpt: gpt !== null, apm: apm !== null } : null;
  return { hybrid, partitions, mbrCodeKind: mbrBootCode ? (mbr?.bootCodeKind ?? null) : null };
}

function isHybridMbr(mbr: MbrReport): boolean {
  if (!mbr.hasBootCode) return false;
  return mbr.bootCodeKind !== 'unknown' || mbr.partitions.some((partition) => partition.startLba === 0);
}

async function readOrWarn<T>(read: () => Promise<T | null>, what: string, warnings: string[]): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof CorruptImageError)) throw error;
    warnings.push(`the original's ${what} is damaged and is not kept: ${error.message}`);
    return null;
  }
}

function describeEntry(entry: CatalogEntry, spec: BootImageSpec): string {
  const platform =
    typeof entry.platform === 'number' ? `platform 0x${entry.platform.toString(16)}` : entry.platform === 'x86' ? 'BIOS' : entry.platform.toUpperCase();
  const image = 'path' in spec.image ? spec.image.path : spec.image.description;
  const details = [
    ...(spec.bootable === false ? ['not bootable'] : []),
    `${entry.sectorCount} sectors loaded`,
    ...(spec.bootInfoTable ? ['boot info table'] : []),
    ...(spec.grub2BootInfo ? ['GRUB 2 boot info'] : []),
    ...(spec.partition ? ['a partition'] : []),
  ];
  return `${platform} ${entry.emulation === 'none' ? 'no-emulation' : entry.emulation} image ${image} (${details.join(', ')})`;
}

function describeHybrid(hybrid: HybridSpec, mbrCodeKind: MbrBootCodeKind | null): string {
  const code = mbrCodeKind === 'isohybrid' ? "SYSLINUX's isohybrid MBR boot code" : mbrCodeKind === 'grub2' ? "GRUB 2's MBR boot code" : 'MBR boot code';
  const parts = [...(hybrid.mbrBootCode ? [code] : []), ...(hybrid.gpt ? ['GPT'] : []), ...(hybrid.apm ? ['Apple partition map'] : [])];
  return `hybrid system area: ${parts.join(', ')}`;
}

/**
 * The kept entries once the edits are made: a boot image renamed or moved is followed to its new
 * path; one replaced by an added file boots that file (its load size then computed anew); one
 * removed is refused, since the image would no longer boot as the original did.
 */
export function keptBootAfterEdits(entries: readonly BootImageSpec[], root: AuthoringNode, edits: readonly RemasterEdit[]): BootImageSpec[] {
  return entries.map((entry) => {
    if (!('path' in entry.image)) return entry;
    const after = pathAfterEdits(entry.image.path, edits);
    const node = after ? findAuthoringNode(root, after.path) : null;
    if (!after || node?.kind !== 'file') {
      throw new CodedError('invalid-request', `the boot image ${entry.image.path} was removed: the new image could not boot as the original does`, {
        path: entry.image.path,
      });
    }
    return { ...entry, image: { path: after.path }, loadSectorCount: after.replaced ? null : entry.loadSectorCount };
  });
}
