// Finds the El Torito boot record among the volume descriptors (ECMA-119 8.2 and El Torito 1.0
// 2.0): a type-0 descriptor whose boot system identifier is "EL TORITO SPECIFICATION", with the
// boot catalog's sector at BP 72.
import type { ByteSource } from '../io/byte-source.ts';
import { corruptAt, FieldReader, readRegion } from '../format/fields.ts';

const sectorBytes = 2048;
const firstDescriptorLba = 16;
/** Leniency limit: real sets hold 2-6 descriptors; stop looking after this many. */
const maxDescriptors = 64;
const elToritoIdentifier = 'EL TORITO SPECIFICATION';

export interface ElToritoBootRecord {
  readonly descriptorLba: number;
  readonly catalogLba: number;
}

/** Parses one 2048-byte volume descriptor as an El Torito boot record; null when it is not one. */
export function parseBootRecord(sector: Uint8Array, lba: number): ElToritoBootRecord | null {
  const fields = new FieldReader(sector, { offsetBytes: lba * sectorBytes, sectorBytes });
  // ECMA-119 8.2.1-8.2.3: type 0, "CD001", version 1.
  if (fields.uint8(0, 'volume descriptor type') !== 0) return null;
  if (fields.ascii(1, 5, 'standard identifier') !== 'CD001' || fields.uint8(6, 'volume descriptor version') !== 1) return null;
  // El Torito 1.0 2.0: boot system identifier, BP 8-39, padded with zeros.
  if (fields.ascii(7, 32, 'boot system identifier').trimEnd() !== elToritoIdentifier) return null;
  // El Torito 1.0 2.0: absolute pointer to the first sector of the boot catalog, BP 72-75, little-endian.
  return { descriptorLba: lba, catalogLba: fields.uint32Le(71, 'boot catalog pointer') };
}

/**
 * Walks the volume descriptor set from sector 16 until the terminator (ECMA-119 8.3, type 255) and
 * returns the El Torito boot record, or null when the image is not ISO 9660 or has none.
 */
export async function findBootRecord(source: ByteSource): Promise<ElToritoBootRecord | null> {
  for (let index = 0; index < maxDescriptors; index += 1) {
    const lba = firstDescriptorLba + index;
    if ((lba + 1) * sectorBytes > source.sizeBytes) return null;
    const sector = await readRegion(source, { offsetBytes: lba * sectorBytes, sectorBytes }, sectorBytes, 'volume descriptor');
    const fields = new FieldReader(sector, { offsetBytes: lba * sectorBytes, sectorBytes });
    // ECMA-119 8.1.2: every descriptor carries "CD001"; its absence ends the set (or there is none).
    if (fields.ascii(1, 5, 'standard identifier') !== 'CD001') return null;
    const type = fields.uint8(0, 'volume descriptor type');
    if (type === 255) return null;
    const record = parseBootRecord(sector, lba);
    if (record) {
      // El Torito 1.0 2.0: the catalog lies inside the image (checked here so the message names the pointer).
      if ((record.catalogLba + 1) * sectorBytes > source.sizeBytes) {
        throw corruptAt(
          { offsetBytes: lba * sectorBytes, sectorBytes },
          71,
          `boot catalog pointer names sector ${record.catalogLba}, past the end of the image (${Math.floor(source.sizeBytes / sectorBytes)} sectors)`,
        );
      }
      return record;
    }
  }
  return null;
}
