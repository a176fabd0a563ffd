// An honest but wide image for the parse worker's limits: one root folder of 200,000 empty files
// (9.6 MiB). Listing its root builds every entry of the folder at once: about 2 s and well over
// 32 MiB of heap here, while the default limits (512 MiB, 30 s) list it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIso, directoryExtent, directoryRecord, sector } from '../iso/iso-builder.ts';

export const wideFileCount = 200_000;

/** Writes the image into `folder` and returns its path. */
export function writeWideIso(folder: string): string {
  const records = Array.from({ length: wideFileCount }, (_, index) => directoryRecord({ identifier: `F${index}.TXT;1`, lba: 0, sizeBytes: 0 }));
  // 50 bytes a record covers the longest identifier (33 + 13, padded) and each sector's unused tail.
  const root = directoryExtent({ selfLba: 20, parentLba: 20, sectors: Math.ceil((wideFileCount * 50) / sector) + 2, records });
  const path = join(folder, 'wide.iso');
  writeFileSync(path, buildIso({ sectorCount: 20 + root.byteLength / sector, rootLba: 20, rootSizeBytes: root.byteLength, sectors: new Map([[20, root]]) }));
  return path;
}
