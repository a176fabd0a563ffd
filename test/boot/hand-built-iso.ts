// Hand-built El Torito images for the catalog rules and rejections: a boot record at sector 16, a
// terminator at 17, and a catalog at a chosen sector. Sizes in 2048-byte sectors.
export const sectorBytes = 2048;

export interface CatalogRecord {
  readonly bytes: Uint8Array;
}

/** El Torito 1.0 2.1: a validation entry with a correct checksum unless `breakChecksum`. */
export function validationEntry(options: { platformId?: number; id?: string; breakChecksum?: boolean } = {}): Uint8Array {
  const record = new Uint8Array(32);
  record[0] = 1;
  record[1] = options.platformId ?? 0;
  new TextEncoder().encodeInto(options.id ?? 'ISOTOPE TEST', record.subarray(4, 28));
  record[30] = 0x55;
  record[31] = 0xaa;
  const view = new DataView(record.buffer);
  let sum = 0;
  for (let at = 0; at < 32; at += 2) sum = (sum + view.getUint16(at, true)) & 0xffff;
  view.setUint16(28, (0x10000 - sum + (options.breakChecksum ? 1 : 0)) & 0xffff, true);
  return record;
}

/** El Torito 1.0 2.2 / 2.5: an initial or section entry. */
export function bootEntry(options: {
  bootable?: boolean;
  mediaType?: number;
  loadSegment?: number;
  sectorCount?: number;
  imageLba: number;
  indicator?: number;
}): Uint8Array {
  const record = new Uint8Array(32);
  const view = new DataView(record.buffer);
  record[0] = options.indicator ?? (options.bootable === false ? 0x00 : 0x88);
  record[1] = options.mediaType ?? 0;
  view.setUint16(2, options.loadSegment ?? 0, true);
  view.setUint16(6, options.sectorCount ?? 4, true);
  view.setUint32(8, options.imageLba, true);
  return record;
}

/** El Torito 1.0 2.4: a section header (0x90, or 0x91 when final). */
export function sectionHeader(options: { final: boolean; platformId: number; entryCount: number }): Uint8Array {
  const record = new Uint8Array(32);
  record[0] = options.final ? 0x91 : 0x90;
  record[1] = options.platformId;
  new DataView(record.buffer).setUint16(2, options.entryCount, true);
  return record;
}

/** El Torito 1.0 2.6: an extension record; `more` sets bit 5 (another follows). */
export function extensionRecord(more: boolean): Uint8Array {
  const record = new Uint8Array(32);
  record[0] = 0x44;
  record[1] = more ? 0x20 : 0;
  return record;
}

/** An image of `totalSectors` sectors with a boot record pointing at `catalogLba` and the catalog there. */
export function buildElToritoImage(options: { totalSectors: number; catalogLba: number; catalog: readonly Uint8Array[] }): Uint8Array {
  const image = new Uint8Array(options.totalSectors * sectorBytes);
  const boot = image.subarray(16 * sectorBytes, 17 * sectorBytes);
  boot[0] = 0;
  new TextEncoder().encodeInto('CD001', boot.subarray(1, 6));
  boot[6] = 1;
  new TextEncoder().encodeInto('EL TORITO SPECIFICATION', boot.subarray(7, 39));
  new DataView(boot.buffer, boot.byteOffset).setUint32(71, options.catalogLba, true);
  const terminator = image.subarray(17 * sectorBytes, 18 * sectorBytes);
  terminator[0] = 255;
  new TextEncoder().encodeInto('CD001', terminator.subarray(1, 6));
  terminator[6] = 1;
  let at = options.catalogLba * sectorBytes;
  for (const record of options.catalog) {
    if (at + 32 <= image.byteLength) image.set(record, at);
    at += 32;
  }
  return image;
}
