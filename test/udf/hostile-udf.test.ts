// Hostile UDF: a real genisoimage -udf image damaged in one place each (tags re-sealed so the check
// under test is the one that fires). Every case is a typed CorruptImageError naming where, never a
// hang or a crash; a damaged main volume descriptor sequence falls back to the reserve one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import type { TreeEntry } from '../../src-main/format/file-tree.ts';
import { readEntryContent } from '../../src-main/image/read-entry.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { parseFileEntry, parseFileIdentifier } from '../../src-main/udf/file-entries.ts';
import type { UdfTree } from '../../src-main/udf/udf-tree.ts';
import { openUdfTree } from '../../src-main/udf/udf-tree.ts';
import { udfSmallIsoPath } from '../fixtures/udf-images.ts';
import { flipByte, getUint32, resealTag, resealTagCovering, setUint16, setUint32 } from './udf-patching.ts';

const blockBytes = 2048;

function freshImage(): Uint8Array {
  return new Uint8Array(readFileSync(udfSmallIsoPath()));
}

async function open(bytes: Uint8Array): Promise<UdfTree> {
  const tree = await openUdfTree(createMemorySource(bytes, 'hostile-udf.iso'));
  if (!tree) throw new Error('no UDF tree');
  return tree;
}

/** Lists everything and reads every file: what a user can do with the image. */
async function exploreAll(bytes: Uint8Array): Promise<string[]> {
  const tree = await open(bytes);
  const paths: string[] = [];
  for await (const entry of tree.walk()) {
    paths.push(entry.path);
    for await (const chunk of readEntryContent(tree.source, entry)) void chunk;
  }
  return paths;
}

async function expectCorrupt(bytes: Uint8Array, message: RegExp): Promise<CorruptImageError> {
  const error = await exploreAll(bytes).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CorruptImageError);
  expect((error as CorruptImageError).message).toMatch(message);
  return error as CorruptImageError;
}

interface Layout {
  readonly partitionStart: number;
  readonly fsdSector: number;
  readonly root: TreeEntry;
  readonly docs: TreeEntry;
  readonly data: TreeEntry;
  /** Byte offset of the root directory's FID naming "docs". */
  readonly docsFidOffset: number;
}

async function layoutOf(bytes: Uint8Array): Promise<Layout> {
  const tree = await open(bytes);
  const partitionStart = (tree.partitions[0] as { startSector: number }).startSector;
  const docs = (await tree.lookup('/docs')) as TreeEntry;
  const data = (await tree.lookup('/docs/data.bin')) as TreeEntry;
  const rootData = tree.root.extents[0] as { offsetBytes: number; sizeBytes: number };
  const directory = bytes.subarray(rootData.offsetBytes, rootData.offsetBytes + rootData.sizeBytes);
  let docsFidOffset = -1;
  for (let at = 0; at < directory.byteLength;) {
    const fid = parseFileIdentifier(directory, at, { offsetBytes: rootData.offsetBytes, sectorBytes: blockBytes });
    if (fid.name === 'docs') docsFidOffset = rootData.offsetBytes + at;
    at += fid.lengthBytes;
  }
  expect(docsFidOffset).toBeGreaterThan(0);
  return { partitionStart, fsdSector: partitionStart + tree.logicalVolume.fileSetLocation.address.block, root: tree.root, docs, data, docsFidOffset };
}

describe('hostile UDF images', () => {
  it('lists the undamaged seed (the baseline every case below breaks)', async () => {
    expect(await exploreAll(freshImage())).toEqual(['/README.TXT', '/docs', '/docs/a.txt', '/docs/data.bin', '/docs/sub', '/docs/sub/b.txt']);
  });

  it('names the sector of a file set descriptor whose CRC is wrong', async () => {
    const bytes = freshImage();
    const { fsdSector } = await layoutOf(bytes);
    flipByte(bytes, fsdSector * blockBytes + 400, 0xff); // root ICB field, CRC not re-sealed
    const error = await expectCorrupt(bytes, /file set descriptor: descriptor CRC is wrong/);
    expect(error.message).toContain(`sector ${fsdSector}`);
  });

  it('falls back to the reserve volume descriptor sequence when the main one has a bad tag', async () => {
    const bytes = freshImage();
    const anchor = 256 * blockBytes;
    const mainSector = getUint32(bytes, anchor + 20);
    flipByte(bytes, mainSector * blockBytes + 4, 0x55); // checksum of the first main descriptor
    expect(await exploreAll(bytes)).toContain('/docs/sub/b.txt');
    // With the reserve sequence damaged too, the error names the main sequence's sector.
    const reserveSector = getUint32(bytes, anchor + 28);
    flipByte(bytes, reserveSector * blockBytes + 4, 0x55);
    const error = await expectCorrupt(bytes, /tag checksum is wrong/);
    expect(error.message).toContain(`sector ${mainSector}`);
  });

  it('refuses a partition reference past the partition maps', async () => {
    const bytes = freshImage();
    const { fsdSector } = await layoutOf(bytes);
    setUint16(bytes, fsdSector * blockBytes + 400 + 8, 7); // root ICB long_ad partition reference
    resealTag(bytes, fsdSector * blockBytes);
    await expectCorrupt(bytes, /names partition map 7, the volume has 1/);
  });

  it('refuses a directory whose entry points back at the root ICB (a loop), without hanging', async () => {
    const bytes = freshImage();
    const { root, docsFidOffset, partitionStart } = await layoutOf(bytes);
    setUint32(bytes, docsFidOffset + 20 + 4, root.extentLba - partitionStart); // the FID's ICB block
    resealTag(bytes, docsFidOffset);
    await expectCorrupt(bytes, /already visited \(a directory loop\)/);
  });

  it('refuses a file identifier descriptor whose lengths run past the directory', async () => {
    const bytes = freshImage();
    const { docsFidOffset } = await layoutOf(bytes);
    setUint16(bytes, docsFidOffset + 36, 4000); // length of implementation use
    resealTag(bytes, docsFidOffset);
    await expectCorrupt(bytes, /runs past the directory end/);
  });

  it('refuses an allocation extent chain that loops back to the file entry itself', async () => {
    const bytes = freshImage();
    const { data, partitionStart } = await layoutOf(bytes);
    const feAt = data.extentLba * blockBytes;
    const entry = parseFileEntry(bytes.subarray(feAt, feAt + blockBytes), { offsetBytes: feAt, sectorBytes: blockBytes }, data.extentLba - partitionStart);
    expect(entry.allocationForm).not.toBe('embedded');
    const adAt = feAt + entry.allocationOffsetBytes;
    // First descriptor: "next extent of allocation descriptors" (type 3) at the entry's own block.
    setUint32(bytes, adAt, (3 << 30) | blockBytes);
    setUint32(bytes, adAt + 4, data.extentLba - partitionStart);
    resealTag(bytes, feAt);
    await expectCorrupt(bytes, /already read \(an allocation loop\)/);
  });

  it('refuses an allocation extent descriptor that continues into itself', async () => {
    const bytes = freshImage();
    const { data, partitionStart } = await layoutOf(bytes);
    const feAt = data.extentLba * blockBytes;
    const entry = parseFileEntry(bytes.subarray(feAt, feAt + blockBytes), { offsetBytes: feAt, sectorBytes: blockBytes }, data.extentLba - partitionStart);
    const aedSector = Math.floor((data.extents[0] as { offsetBytes: number }).offsetBytes / blockBytes); // reuse the file's first data block
    const aedBlock = aedSector - partitionStart;
    const adAt = feAt + entry.allocationOffsetBytes;
    setUint32(bytes, adAt, (3 << 30) | blockBytes);
    setUint32(bytes, adAt + 4, aedBlock);
    resealTag(bytes, feAt);
    // ECMA-167 4/14.5: tag 258 at its own block, one short_ad of type 3 pointing at the same block.
    const aed = aedSector * blockBytes;
    bytes.fill(0, aed, aed + blockBytes);
    setUint16(bytes, aed, 258);
    setUint16(bytes, aed + 2, 2);
    setUint32(bytes, aed + 12, aedBlock);
    setUint32(bytes, aed + 20, 8);
    setUint32(bytes, aed + 24, (3 << 30) | blockBytes);
    setUint32(bytes, aed + 28, aedBlock);
    resealTagCovering(bytes, aed, 16);
    await expectCorrupt(bytes, /allocation extent at sector \d+ was already read/);
  });

  it('refuses an embedded file that claims more bytes than its ICB holds', async () => {
    const bytes = freshImage();
    const { data } = await layoutOf(bytes);
    const feAt = data.extentLba * blockBytes;
    const flags = (bytes[feAt + 34] as number) & ~7;
    bytes[feAt + 34] = flags | 3; // allocation type: embedded
    resealTag(bytes, feAt);
    await expectCorrupt(bytes, /embedded file claims 40000 bytes/);
  });
});
