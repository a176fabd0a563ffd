// A FAT12/16/32 volume as a file system of a disk image (format/filesystem-tree.ts): the tree of
// fat-tree.ts, plus what the summary card says about the volume, read as blkid reads it (label and
// volume id) and as the FAT itself says (used space: every cluster whose FAT entry is not free).
import type { FilesystemInfo, FilesystemKind } from '../../shared/image.ts';
import { FieldReader, readRegion, type Place } from '../format/fields.ts';
import type { FilesystemOpener, FilesystemTree } from '../format/filesystem-tree.ts';
import { WorkBudget } from '../format/work-budget.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { bootSectorFields, fat16BootSectorFields } from './fat-fields.ts';
import { fatTreeOf, readExtents, type FatTree } from './fat-tree.ts';
import { findVolumeLabelEntry, openFatVolume, type FatVolume } from './fat-volume.ts';

/** FAT spec 3.2: BS_BootSig 0x29 says BS_VolID, BS_VolLab and BS_FilSysType follow; 0x28 (older) only BS_VolID. */
const extendedBootSignatures = { full: 0x29, volumeIdOnly: 0x28 } as const;
/** What mkfs.fat and Windows record when a volume has no label (blkid reports none for it). */
const noNameLabel = 'NO NAME';
/**
 * The FAT is counted in chunks of this many bytes: a multiple of 3 and of 4, so no FAT12 (1.5-byte),
 * FAT16 or FAT32 entry straddles two chunks.
 */
const fatChunkBytes = 3 * 4 * 65536;

/** Opens the FAT volume at byte 0 of `source`; null when no FAT boot sector is there. */
export const openFatFilesystem: FilesystemOpener = async (source, options = {}) => {
  const volume = await openFatVolume(source, 0, options.budget ?? WorkBudget.for(source));
  if (!volume) return null;
  const tree = await fatTreeOf(volume, options.signal);
  return { ...tree, describe: () => describeFatVolume(tree, options.signal) } satisfies FilesystemTree;
};

async function describeFatVolume(tree: FatTree, signal: AbortSignal | undefined): Promise<FilesystemInfo> {
  const { volume } = tree;
  const boot = await readBootFields(volume);
  volume.budget.spend(tree.root.sizeBytes, 'the FAT root directory, for its volume label');
  const rootBytes = await readExtents(volume, tree.root.extents, 'the FAT root directory');
  const rootLabel = findVolumeLabelEntry(rootBytes, { offsetBytes: tree.root.extents[0]?.offsetBytes ?? 0, sectorBytes: 512 });
  const usedClusters = await countUsedClusters(volume, signal);
  return {
    kind: volume.type.toLowerCase() as FilesystemKind,
    // blkid's order: the root directory's label entry, else the boot sector's; "NO NAME" is no label.
    label: labelText(rootLabel) ?? labelText(boot.label),
    uuid: boot.volumeId,
    sizeBytes: volume.sizeBytes,
    usedBytes: usedClusters === null ? null : usedClusters * volume.bytesPerCluster,
    browsable: true,
  };
}

/** BS_VolID as blkid prints it ("A1B2-C3D4": the 32-bit little-endian value in hex, high half first), and BS_VolLab's bytes. */
async function readBootFields(volume: FatVolume): Promise<{ volumeId: string | null; label: Uint8Array | null }> {
  const place: Place = { offsetBytes: volume.offsetBytes, sectorBytes: 512 };
  const fields = new FieldReader(await readRegion(volume.source, place, 512, 'FAT boot sector'), place);
  const at = volume.type === 'FAT32' ? bootSectorFields : fat16BootSectorFields;
  const signature = fields.uint8(at.bootSignature, 'BS_BootSig');
  if (signature !== extendedBootSignatures.full && signature !== extendedBootSignatures.volumeIdOnly) return { volumeId: null, label: null };
  const id = fields.uint32Le(at.volumeId, 'BS_VolID').toString(16).toUpperCase().padStart(8, '0');
  const label = signature === extendedBootSignatures.full ? fields.slice(at.volumeLabel, 11, 'BS_VolLab') : null;
  return { volumeId: `${id.slice(0, 4)}-${id.slice(4)}`, label };
}

/** An 11-byte FAT label without its space padding; null when empty or "NO NAME". */
function labelText(bytes: Uint8Array | null): string | null {
  if (!bytes) return null;
  // FAT spec 6.1: 0x05 in the first byte stands for 0xE5. The bytes are in the OEM code page, shown as Latin-1.
  const text = String.fromCharCode(...Array.from(bytes, (byte, index) => (index === 0 && byte === 0x05 ? 0xe5 : byte)))
    .replace(/\0+$/, '')
    .trimEnd();
  return text === '' || text === noNameLabel ? null : text;
}

/**
 * Clusters 2 .. clusterCount + 1 whose FAT entry is not 0 (FAT spec 4: 0 is free; a link, an end of
 * chain or a bad-cluster mark is in use). One pass over the first FAT, paid from the budget; FSInfo's
 * free count is only a hint (FAT spec 5) and is not read. Null when the FAT lies past the source's end.
 */
async function countUsedClusters(volume: FatVolume, signal: AbortSignal | undefined): Promise<number | null> {
  const entriesEnd = volume.clusterCount + 2;
  const fatBytes = volume.type === 'FAT12' ? Math.ceil(entriesEnd * 1.5) : entriesEnd * (volume.type === 'FAT16' ? 2 : 4);
  if (volume.fatOffsetBytes + fatBytes > volume.source.sizeBytes) return null;
  let used = 0;
  for (let chunkStart = 0; chunkStart < fatBytes; chunkStart += fatChunkBytes) {
    throwIfCancelled(signal, 'counting the used clusters of a FAT');
    const lengthBytes = Math.min(fatChunkBytes, fatBytes - chunkStart);
    volume.budget.spend(lengthBytes, `the file allocation table at byte ${volume.fatOffsetBytes + chunkStart}`);
    const place = { offsetBytes: volume.fatOffsetBytes + chunkStart, sectorBytes: 512 };
    const chunk = await readRegion(volume.source, place, lengthBytes, 'file allocation table');
    used += countUsedEntries(volume, chunk, chunkStart, entriesEnd);
  }
  return used;
}

/** The used entries among clusters 2 .. entriesEnd - 1 whose entries lie in `chunk` (FAT bytes from `chunkStart`). */
function countUsedEntries(volume: FatVolume, chunk: Uint8Array, chunkStart: number, entriesEnd: number): number {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let used = 0;
  if (volume.type === 'FAT12') {
    // FAT spec 4.1: two 12-bit entries share three bytes; an even cluster takes the low 12 bits.
    const firstCluster = (chunkStart / 3) * 2;
    for (let at = 0; at + 3 <= chunk.byteLength; at += 3) {
      const pair = (chunk[at] as number) | ((chunk[at + 1] as number) << 8) | ((chunk[at + 2] as number) << 16);
      const cluster = firstCluster + (at / 3) * 2;
      if (cluster >= 2 && cluster < entriesEnd && (pair & 0xfff) !== 0) used += 1;
      if (cluster + 1 >= 2 && cluster + 1 < entriesEnd && pair >>> 12 !== 0) used += 1;
    }
    // A last entry of an odd count fits in the last byte and a half, which the loop above leaves out.
    const tail = chunk.byteLength % 3;
    if (tail === 2) {
      const cluster = firstCluster + Math.floor(chunk.byteLength / 3) * 2;
      const value = view.getUint16(chunk.byteLength - 2, true) & 0xfff;
      if (cluster >= 2 && cluster < entriesEnd && value !== 0) used += 1;
    }
    return used;
  }
  const entryBytes = volume.type === 'FAT16' ? 2 : 4;
  const firstCluster = chunkStart / entryBytes;
  for (let at = 0; at + entryBytes <= chunk.byteLength; at += entryBytes) {
    const cluster = firstCluster + at / entryBytes;
    // FAT spec 4.1: the high 4 bits of a FAT32 entry are reserved.
    const value = entryBytes === 2 ? view.getUint16(at, true) : view.getUint32(at, true) & 0x0fffffff;
    if (cluster >= 2 && value !== 0) used += 1;
  }
  return used;
}
