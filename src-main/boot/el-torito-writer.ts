// Writes what El Torito 2.0 adds to an ISO 9660 image: the Boot Record volume descriptor, the boot
// catalog, and a no-emulation image's boot info table. Their readers are boot-record.ts,
// boot-catalog.ts and boot-info-table.ts beside this file: what is written here is what they read.
import { sectorBytes } from '../format/fields.ts';
import { CodedError } from '../jobs/errors.ts';
import { checksumWords } from './boot-info-table.ts';

export interface CatalogEntryWrite {
  platformId: number;
  mediaType: number;
  loadSegment: number;
  systemType: number;
  loadSectorCount512: number;
  imageLba: number;
  bootable: boolean;
}

/** El Torito 2.0 2.0-2.5: every catalog record is 32 bytes, so one sector holds 64. */
const recordBytes = 32;
const recordsPerSector = sectorBytes / recordBytes;
/** xorriso --grub2-boot-info: where GRUB's eltorito.img (cdboot.img's 2048 bytes, then core.img) holds core.img's first block-list sector. */
const grub2BootInfoOffset = 2548;
/** mkisofs(8) -boot-info-table: the table's place in the image. */
const bootInfoTableOffset = 8;
const bootInfoTableEndOffset = 64;
/** El Torito 2.0 2.1: header ID 1 and the key bytes 0x55 0xAA end the validation entry. */
const validationHeaderId = 0x01;
/** El Torito 2.0 2.2 and 2.5: boot indicator. */
const bootable = 0x88;
const notBootable = 0x00;
/** El Torito 2.0 2.4: section header indicators. */
const moreSectionsFollow = 0x90;
const finalSection = 0x91;

/**
 * The boot catalog (El Torito 2.0 2.0-2.5): the validation entry for entries[0]'s platform, the
 * initial/default entry (entries[0]), then the other entries in sections. Like libisofs, consecutive
 * entries of one platform share a section (a BIOS + EFI image gives one 0x91 header with one
 * entry). Refuses what does not fit in one sector (64 records) or fields out of their ranges.
 */
export function buildBootCatalog(entries: readonly CatalogEntryWrite[]): Uint8Array {
  const [initial, ...rest] = entries;
  if (!initial) throw new CodedError('invalid-request', 'a boot catalog needs at least one boot entry');
  const sections = groupByPlatform(rest);
  const recordCount = 2 + sections.reduce((sum, section) => sum + 1 + section.length, 0);
  if (recordCount > recordsPerSector) {
    throw new CodedError(
      'unsupported',
      `${entries.length} boot entries in ${sections.length + 1} sections need ${recordCount} catalog records; one 2048-byte catalog sector holds ${recordsPerSector}`,
    );
  }
  const catalog = new Uint8Array(sectorBytes);
  writeValidationEntry(catalog, initial.platformId);
  writeEntry(catalog, recordBytes, initial);
  let record = 2;
  sections.forEach((section, index) => {
    const at = record * recordBytes;
    // El Torito 2.0 2.4: indicator, platform id, number of section entries (LE); the id string stays zero.
    catalog[at] = index === sections.length - 1 ? finalSection : moreSectionsFollow;
    catalog[at + 1] = (section[0] as CatalogEntryWrite).platformId;
    new DataView(catalog.buffer).setUint16(at + 2, section.length, true);
    section.forEach((entry, offset) => writeEntry(catalog, (record + 1 + offset) * recordBytes, entry));
    record += 1 + section.length;
  });
  return catalog;
}

/** Runs of consecutive entries with one platform id. */
function groupByPlatform(entries: readonly CatalogEntryWrite[]): CatalogEntryWrite[][] {
  const sections: CatalogEntryWrite[][] = [];
  for (const entry of entries) {
    const last = sections.at(-1);
    if (last && (last[0] as CatalogEntryWrite).platformId === entry.platformId) last.push(entry);
    else sections.push([entry]);
  }
  return sections;
}

/** El Torito 2.0 2.1: header ID, platform, the key bytes, and a checksum word making the record's 16-bit words sum to 0. */
function writeValidationEntry(catalog: Uint8Array, platformId: number): void {
  const view = new DataView(catalog.buffer);
  catalog[0] = validationHeaderId;
  catalog[1] = checkedByte(platformId, 'platform id');
  catalog[30] = 0x55;
  catalog[31] = 0xaa;
  let sum = 0;
  for (let at = 0; at < recordBytes; at += 2) sum = (sum + view.getUint16(at, true)) & 0xffff;
  view.setUint16(28, (0x10000 - sum) & 0xffff, true);
}

/** El Torito 2.0 2.2 (initial/default entry) and 2.5 (section entry) share this layout; selection criteria stay zero. */
function writeEntry(catalog: Uint8Array, at: number, entry: CatalogEntryWrite): void {
  const view = new DataView(catalog.buffer);
  if (entry.mediaType < 0 || entry.mediaType > 4 || !Number.isInteger(entry.mediaType)) {
    throw new CodedError('invalid-request', `boot media type ${entry.mediaType} is not one of El Torito's 0-4`);
  }
  catalog[at] = entry.bootable ? bootable : notBootable;
  catalog[at + 1] = entry.mediaType;
  view.setUint16(at + 2, checkedUint(entry.loadSegment, 0xffff, 'load segment'), true);
  catalog[at + 4] = checkedByte(entry.systemType, 'system type');
  view.setUint16(at + 6, checkedUint(entry.loadSectorCount512, 0xffff, 'load sector count'), true);
  view.setUint32(at + 8, checkedUint(entry.imageLba, 0xffffffff, 'boot image LBA'), true);
}

function checkedByte(value: number, what: string): number {
  return checkedUint(value, 0xff, what);
}

function checkedUint(value: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new CodedError('invalid-request', `boot ${what} ${value} is outside 0-${max}`);
  return value;
}

/** ECMA-119 8.2 Boot Record with El Torito 2.0 2.0's "EL TORITO SPECIFICATION" and the catalog's LBA at byte 71 (BP 72). */
export function buildBootRecordDescriptor(catalogLba: number): Uint8Array {
  const sector = new Uint8Array(sectorBytes);
  const text = new TextEncoder();
  sector[0] = 0; // ECMA-119 8.2.1: volume descriptor type 0, Boot Record
  sector.set(text.encode('CD001'), 1);
  sector[6] = 1; // ECMA-119 8.2.3: version
  sector.set(text.encode('EL TORITO SPECIFICATION'), 7); // El Torito 2.0 2.0: zero-padded to 32 bytes
  new DataView(sector.buffer).setUint32(71, checkedUint(catalogLba, 0xffffffff, 'catalog LBA'), true);
  return sector;
}

/**
 * A copy of `image` with the boot info table of mkisofs(8) -boot-info-table at bytes 8-63: the PVD's
 * LBA, the image's LBA, its length in bytes, the checksum of its 32-bit words from byte 64 (as
 * boot-info-table.ts checks it), then 40 reserved zero bytes.
 */
export function withBootInfoTable(image: Uint8Array, at: { primaryDescriptorLba: number; imageLba: number }): Uint8Array {
  if (image.byteLength < bootInfoTableEndOffset) {
    throw new CodedError('invalid-request', `a boot image of ${image.byteLength} bytes cannot hold a boot info table (bytes 8-63)`);
  }
  const patched = image.slice();
  const view = new DataView(patched.buffer);
  view.setUint32(bootInfoTableOffset, checkedUint(at.primaryDescriptorLba, 0xffffffff, 'PVD LBA'), true);
  view.setUint32(bootInfoTableOffset + 4, checkedUint(at.imageLba, 0xffffffff, 'image LBA'), true);
  view.setUint32(bootInfoTableOffset + 8, checkedUint(image.byteLength, 0xffffffff, 'image length'), true);
  view.setUint32(bootInfoTableOffset + 12, checksumWords(patched.subarray(bootInfoTableEndOffset)), true);
  patched.fill(0, bootInfoTableOffset + 16, bootInfoTableEndOffset);
  return patched;
}

/**
 * A copy of GRUB's eltorito.img with xorriso --grub2-boot-info's patch: the 64-bit LE 512-byte sector
 * of its 2048 + 512th byte (image LBA * 4 + 5) at byte 2548, where core.img's diskboot.img keeps the
 * first sector it loads the rest from, so core.img finds itself when boot_hybrid.img starts it from a disk.
 * Apply it before withBootInfoTable: the table's checksum covers byte 2548, as xorriso computes it.
 */
export function withGrub2BootInfo(image: Uint8Array, imageLba: number): Uint8Array {
  if (image.byteLength < grub2BootInfoOffset + 8) {
    throw new CodedError(
      'invalid-request',
      `a boot image of ${image.byteLength} bytes cannot be GRUB's eltorito.img (its boot info is at byte ${grub2BootInfoOffset})`,
    );
  }
  const patched = image.slice();
  new DataView(patched.buffer).setBigUint64(grub2BootInfoOffset, BigInt(checkedUint(imageLba, 0xffffffff, 'image LBA')) * 4n + 5n, true);
  return patched;
}
