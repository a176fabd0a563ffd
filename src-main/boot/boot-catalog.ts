// The El Torito boot catalog (El Torito 1.0 2.1-2.6): validation entry (checksum, 55 AA), the
// initial/default entry, then section headers (0x90 more follow, 0x91 final), each with its section
// entries and their extension entries. Every record is 32 bytes.
import type { ElToritoEmulation, ElToritoEntry, ElToritoPlatform } from '../../shared/boot.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { corruptAt, FieldReader, readRegion, type Place } from '../format/fields.ts';

const sectorBytes = 2048;
const recordBytes = 32;
/** Leniency limit: libisofs writes at most 32 boot images; refuse catalogs with more records than this. */
export const maxCatalogRecords = 1024;
const maxCatalogBytes = maxCatalogRecords * recordBytes;

/** One boot entry as the catalog records it (before the image itself is looked at): the report's raw fields. */
export interface CatalogEntry extends Pick<ElToritoEntry, 'platform' | 'bootable' | 'emulation' | 'loadSegment' | 'systemType' | 'sectorCount' | 'imageLba'> {
  readonly section: number;
}

export interface BootCatalog {
  readonly catalogLba: number;
  readonly validationId: string;
  readonly entries: readonly CatalogEntry[];
}

const emulations: readonly ElToritoEmulation[] = ['none', 'floppy-1.2', 'floppy-1.44', 'floppy-2.88', 'hard-disk'];

/** El Torito 1.0 2.1: the platform id byte. */
export function platformOf(id: number): ElToritoPlatform {
  switch (id) {
    case 0:
      return 'x86';
    case 1:
      return 'ppc';
    case 2:
      return 'mac';
    case 0xef:
      return 'efi';
    default:
      return id;
  }
}

/** Parses catalog bytes (whole 2048-byte sectors starting at `catalogLba`). */
export function parseBootCatalog(bytes: Uint8Array, catalogLba: number): BootCatalog {
  const place: Place = { offsetBytes: catalogLba * sectorBytes, sectorBytes };
  const fields = new FieldReader(bytes, place);
  const recordCount = Math.min(Math.floor(bytes.byteLength / recordBytes), maxCatalogRecords);
  if (recordCount < 2) throw corruptAt(place, 0, `boot catalog holds ${recordCount} records, needs the validation and initial entries`);

  // El Torito 1.0 2.1: validation entry. Header ID 1, key bytes 0x55 0xAA at 0x1E-0x1F, and the
  // 16-bit little-endian words of the record sum to zero.
  const headerId = fields.uint8(0, 'validation entry header ID');
  if (headerId !== 1) throw corruptAt(place, 0, `boot catalog validation entry has header ID ${headerId}, expected 1`);
  if (fields.uint8(30, 'validation key') !== 0x55 || fields.uint8(31, 'validation key') !== 0xaa) {
    throw corruptAt(place, 30, 'boot catalog validation entry lacks its 55 AA key bytes');
  }
  let sum = 0;
  for (let at = 0; at < recordBytes; at += 2) sum = (sum + fields.uint16Le(at, 'validation entry word')) & 0xffff;
  if (sum !== 0) throw corruptAt(place, 28, `boot catalog validation entry checksum fails: its words sum to 0x${sum.toString(16)}, not 0`);
  const validationPlatform = platformOf(fields.uint8(1, 'validation entry platform ID'));
  const validationId = fields.ascii(4, 24, 'validation entry ID string').trim();

  // El Torito 1.0 2.2: the initial/default entry, for the validation entry's platform.
  const entries: CatalogEntry[] = [parseEntry(fields, recordBytes, validationPlatform, 0)];

  // El Torito 1.0 2.3-2.6: section headers, each followed by its entries (and their extensions).
  let record = 2;
  let section = 0;
  while (record < recordCount) {
    const at = record * recordBytes;
    const indicator = fields.uint8(at, 'section header indicator');
    // Leniency: the spec ends the list with a 0x91 header, but catalogs with only the default
    // entry end in zeros (or whatever the sector holds); anything but 0x90/0x91 ends the catalog.
    if (indicator !== 0x90 && indicator !== 0x91) break;
    section += 1;
    const platform = platformOf(fields.uint8(at + 1, 'section platform ID'));
    const sectionEntries = fields.uint16Le(at + 2, 'section entry count');
    record += 1;
    for (let index = 0; index < sectionEntries; index += 1) {
      if (record >= maxCatalogRecords) {
        throw corruptAt(
          place,
          at + 2,
          `boot catalog section ${section} declares ${sectionEntries} entries; the catalog would pass ${maxCatalogRecords} records`,
        );
      }
      if (record >= recordCount) {
        throw corruptAt(place, at + 2, `boot catalog section ${section} declares ${sectionEntries} entries, the catalog ends after ${recordCount} records`);
      }
      const entryAt = record * recordBytes;
      entries.push(parseEntry(fields, entryAt, platform, section));
      record += 1;
      // El Torito 1.0 2.5 (byte 1 bit 5) and 2.6: extension records follow while their bit 5 is set.
      let more = (fields.uint8(entryAt + 1, 'section entry media type') & 0x20) !== 0;
      while (more) {
        if (record >= recordCount) throw corruptAt(place, entryAt, 'boot catalog extension records run past the end of the catalog');
        const extensionAt = record * recordBytes;
        if (fields.uint8(extensionAt, 'extension record indicator') !== 0x44) {
          throw corruptAt(place, extensionAt, `boot catalog record ${record} should be an extension record (0x44)`);
        }
        more = (fields.uint8(extensionAt + 1, 'extension record flags') & 0x20) !== 0;
        record += 1;
      }
    }
    if (indicator === 0x91) break;
  }
  if (record >= maxCatalogRecords) {
    throw corruptAt(place, 0, `boot catalog has more than ${maxCatalogRecords} records without a final section header`);
  }
  return { catalogLba, validationId, entries };
}

/** Reads and parses the catalog at `catalogLba`, at most maxCatalogRecords records (or to the image end). */
export async function readBootCatalog(source: ByteSource, catalogLba: number): Promise<BootCatalog> {
  const place: Place = { offsetBytes: catalogLba * sectorBytes, sectorBytes };
  const available = source.sizeBytes - place.offsetBytes;
  if (available < sectorBytes) throw corruptAt(place, 0, `boot catalog sector ${catalogLba} lies past the end of the image`);
  const lengthBytes = Math.min(maxCatalogBytes, Math.floor(available / sectorBytes) * sectorBytes);
  return parseBootCatalog(await readRegion(source, place, lengthBytes, 'boot catalog'), catalogLba);
}

// El Torito 1.0 2.2 (initial/default entry) and 2.5 (section entry) share this layout.
function parseEntry(fields: FieldReader, at: number, platform: ElToritoPlatform, section: number): CatalogEntry {
  const indicator = fields.uint8(at, 'boot indicator');
  // El Torito 1.0 2.2: boot indicator 0x88 bootable, 0x00 not bootable.
  if (indicator !== 0x88 && indicator !== 0x00) {
    throw corruptAt(fields.place, at, `boot catalog entry has boot indicator 0x${indicator.toString(16)}, expected 0x88 or 0x00`);
  }
  // El Torito 1.0 2.2: boot media type 0-4 (bits 0-3; 2.5 uses bits 4-7 as flags).
  const mediaType = fields.uint8(at + 1, 'boot media type') & 0x0f;
  const emulation = emulations[mediaType];
  if (emulation === undefined) throw corruptAt(fields.place, at + 1, `boot catalog entry has boot media type ${mediaType}, expected 0-4`);
  return {
    platform,
    bootable: indicator === 0x88,
    emulation,
    loadSegment: fields.uint16Le(at + 2, 'load segment'),
    systemType: fields.uint8(at + 4, 'system type'),
    sectorCount: fields.uint16Le(at + 6, 'sector count'),
    imageLba: fields.uint32Le(at + 8, 'load RBA'),
    section,
  };
}
