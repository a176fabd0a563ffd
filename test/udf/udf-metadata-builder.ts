// Builds a UDF 2.50 metadata-partition volume (OSTA UDF 2.2.10) from a real genisoimage -udf image,
// which mkudffs here cannot make for a plain file: every file structure moves into a metadata
// partition whose metadata file maps it out of order (metadata block N is physical N + 1, the last is
// physical 0), plus a mirror file. Used by the metadata partition tests and the UDF mutation sweep.
import { expect } from 'vitest';
import type { TreeEntry } from '../../src-main/format/file-tree.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { parseFileEntry, parseFileIdentifier } from '../../src-main/udf/file-entries.ts';
import { openUdfTree } from '../../src-main/udf/udf-tree.ts';
import { getUint16, getUint32, resealTag, resealTagCovering, setUint16, setUint32 } from './udf-patching.ts';

const blockBytes = 2048;

/** Rewrites the seed into a metadata-partition volume; returns it and the metadata file's sector. */
export async function toMetadataPartition(original: Uint8Array): Promise<{ bytes: Uint8Array; metadataFileSector: number; revision: string }> {
  const tree = await openUdfTree(createMemorySource(original));
  if (!tree) throw new Error('no UDF');
  const partition = tree.partitions[0] as { startSector: number; lengthBlocks: number; partitionNumber: number };
  const start = partition.startSector;
  const lengthBlocks = partition.lengthBlocks;
  // Two more blocks after the image end hold the metadata file and its mirror (in the physical partition).
  const imageSectors = original.byteLength / blockBytes;
  const bytes = new Uint8Array(original.byteLength + 2 * blockBytes);
  bytes.set(original);
  const toMeta = (block: number): number => (block === 0 ? lengthBlocks - 1 : block - 1);

  // ECMA-167 3/10.5: the physical partition grows to include the two new blocks.
  const newLength = imageSectors + 2 - start;
  const anchorMain = getUint32(bytes, 256 * blockBytes + 20);
  let lvdAt = -1;
  for (let sector = anchorMain; sector < anchorMain + 16; sector += 1) {
    const at = sector * blockBytes;
    if (getUint16(bytes, at) === 5) {
      setUint32(bytes, at + 192, newLength);
      resealTag(bytes, at);
    }
    if (getUint16(bytes, at) === 6) lvdAt = at;
  }
  expect(lvdAt).toBeGreaterThan(0);

  // Every file entry and directory: ADs and FIDs now name metadata blocks (partition reference 1).
  const entries: TreeEntry[] = [tree.root];
  for await (const entry of tree.walk()) entries.push(entry);
  for (const entry of entries) {
    const feAt = entry.extentLba * blockBytes;
    const block = entry.extentLba - start;
    const fe = parseFileEntry(bytes.subarray(feAt, feAt + blockBytes), { offsetBytes: feAt, sectorBytes: blockBytes }, block);
    expect(fe.allocationForm).toBe('short');
    for (let at = feAt + fe.allocationOffsetBytes; at < feAt + fe.allocationOffsetBytes + fe.allocationLengthBytes; at += 8) {
      if ((getUint32(bytes, at) & 0x3fffffff) !== 0) setUint32(bytes, at + 4, toMeta(getUint32(bytes, at + 4)));
    }
    setUint32(bytes, feAt + 12, toMeta(block));
    resealTag(bytes, feAt);
    if (entry.type !== 'directory') continue;
    const data = entry.extents[0] as { offsetBytes: number; sizeBytes: number };
    const directory = bytes.subarray(data.offsetBytes, data.offsetBytes + data.sizeBytes);
    for (let at = 0; at < directory.byteLength;) {
      const fid = parseFileIdentifier(directory, at, { offsetBytes: data.offsetBytes, sectorBytes: blockBytes });
      setUint32(directory, at + 24, toMeta(fid.icb.block));
      setUint16(directory, at + 28, 1);
      setUint32(directory, at + 12, toMeta(Math.floor(data.offsetBytes / blockBytes) - start));
      resealTag(directory, at);
      at += fid.lengthBytes;
    }
  }

  // The file set descriptor moves to metadata block (its block - 1), its root ICB too.
  const fsdBlock = tree.logicalVolume.fileSetLocation.address.block;
  const fsdAt = (start + fsdBlock) * blockBytes;
  setUint32(bytes, fsdAt + 12, toMeta(fsdBlock));
  setUint32(bytes, fsdAt + 400 + 4, toMeta(getUint32(bytes, fsdAt + 404)));
  setUint16(bytes, fsdAt + 400 + 8, 1);
  resealTag(bytes, fsdAt);

  // ECMA-167 3/10.6: two partition maps: type 1, then the type 2 metadata map (UDF 2.2.10).
  setUint32(bytes, lvdAt + 248 + 4, toMeta(fsdBlock));
  setUint16(bytes, lvdAt + 248 + 8, 1);
  setUint16(bytes, lvdAt + 216 + 24, 0x0250); // domain identifier suffix: UDF revision
  setUint32(bytes, lvdAt + 264, 6 + 64);
  setUint32(bytes, lvdAt + 268, 2);
  const maps = lvdAt + 440;
  bytes.fill(0, maps, maps + 70);
  bytes.set([1, 6], maps);
  setUint16(bytes, maps + 2, 1);
  setUint16(bytes, maps + 4, partition.partitionNumber);
  const meta = maps + 6;
  bytes.set([2, 64], meta);
  bytes.set(new TextEncoder().encode('*UDF Metadata Partition'), meta + 5);
  setUint16(bytes, meta + 36, 1);
  setUint16(bytes, meta + 38, partition.partitionNumber);
  const metadataFileBlock = imageSectors - start;
  setUint32(bytes, meta + 40, metadataFileBlock);
  setUint32(bytes, meta + 44, metadataFileBlock + 1);
  setUint32(bytes, meta + 48, 0xffffffff);
  setUint32(bytes, meta + 52, 32);
  resealTagCovering(bytes, lvdAt, 440 + 70 - 16);

  // The metadata file and its mirror (file types 250, 251): physical blocks 1..P-1, then block 0.
  for (const [index, fileType] of [250, 251].entries()) {
    const at = (imageSectors + index) * blockBytes;
    setUint16(bytes, at, 261);
    setUint16(bytes, at + 2, 2);
    setUint32(bytes, at + 12, metadataFileBlock + index);
    setUint16(bytes, at + 16 + 4, 4); // ICB strategy 4
    setUint16(bytes, at + 16 + 8, 1);
    bytes[at + 16 + 11] = fileType;
    setUint16(bytes, at + 16 + 18, 0); // short_ad
    setUint32(bytes, at + 56, lengthBlocks * blockBytes);
    setUint32(bytes, at + 172, 16);
    setUint32(bytes, at + 176, (lengthBlocks - 1) * blockBytes);
    setUint32(bytes, at + 180, 1);
    setUint32(bytes, at + 184, blockBytes);
    setUint32(bytes, at + 188, 0);
    resealTagCovering(bytes, at, 176 + 16 - 16);
  }
  return { bytes, metadataFileSector: imageSectors, revision: '2.50' };
}
