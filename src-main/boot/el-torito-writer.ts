// Writes what El Torito 2.0 adds to an ISO 9660 image: the Boot Record volume descriptor, the boot
// catalog, and a no-emulation image's boot info table (reader: boot-catalog.ts, boot-info-table.ts).
import { CodedError } from '../jobs/errors.ts';

export interface CatalogEntryWrite {
  platformId: number;
  mediaType: number;
  loadSegment: number;
  systemType: number;
  loadSectorCount512: number;
  imageLba: number;
  bootable: boolean;
}

/** The boot catalog (one 2048-byte sector; validation entry, default entry = entries[0], then one section
 *  header + entry per further platform, as xorriso lays out BIOS + EFI). Refuses more than fit in 1 sector. */
export function buildBootCatalog(entries: readonly CatalogEntryWrite[]): Uint8Array {
  throw new CodedError('unsupported', `boot catalog of ${entries.length} entries: not written yet`);
}

/** ECMA-119 8.2 Boot Record with El Torito's "EL TORITO SPECIFICATION" and the catalog's LBA. */
export function buildBootRecordDescriptor(catalogLba: number): Uint8Array {
  throw new CodedError('unsupported', `boot record for catalog at LBA ${catalogLba}: not written yet`);
}

/** A copy of `image` with the boot info table (bytes 8-63) filled: PVD LBA, image LBA, length, checksum of bytes 64.. */
export function withBootInfoTable(image: Uint8Array, at: { primaryDescriptorLba: number; imageLba: number }): Uint8Array {
  throw new CodedError('unsupported', `boot info table of ${image.byteLength} bytes at LBA ${at.imageLba}: not written yet`);
}
