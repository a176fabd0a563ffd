// A file larger than 4 GiB without a 4 GiB fixture: the real data.bin of a genisoimage -udf image is
// re-described (ECMA-167 4/14.14.1) as its 20 recorded blocks followed by four ~1 GiB extents that are
// not recorded (4/14.14.1.1 type 2, sparse, read as zeros), for a 64-bit information length past 2^32.
// 7-Zip reads the patched image as the cross-check of both the patch and the reader.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEntryContent } from '../../src-main/image/read-entry.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { parseFileEntry } from '../../src-main/udf/file-entries.ts';
import { openUdfTree } from '../../src-main/udf/udf-tree.ts';
import { seededBytes } from '../fixtures/iso-images.ts';
import { udfSmallIsoPath } from '../fixtures/udf-images.ts';
import { listUdfWith7zz } from './udf-references.ts';
import { resealTagCovering, setUint32 } from './udf-patching.ts';

const blockBytes = 2048;
const scratch = mkdtempSync(join(tmpdir(), 'isotope-udf-large-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const recordedBytes = 20 * blockBytes; // data.bin's 40,000 bytes occupy 20 blocks
const sparseExtentBytes = 2 ** 30 - blockBytes; // the largest block-aligned extent length (30 bits)
const tailBytes = 10_000;
const totalBytes = recordedBytes + 4 * sparseExtentBytes + tailBytes;

async function patchedImage(): Promise<Uint8Array> {
  const bytes = new Uint8Array(readFileSync(udfSmallIsoPath()));
  const tree = await openUdfTree(createMemorySource(bytes));
  const data = await tree?.lookup('/docs/data.bin');
  if (!tree || !data) throw new Error('seed image lacks /docs/data.bin');
  const partitionStart = (tree.partitions[0] as { startSector: number }).startSector;
  const feAt = data.extentLba * blockBytes;
  const entry = parseFileEntry(bytes.subarray(feAt, feAt + blockBytes), { offsetBytes: feAt, sectorBytes: blockBytes }, data.extentLba - partitionStart);
  expect(entry.allocationForm).toBe('short');
  const firstDataBlock = (data.extents[0] as { offsetBytes: number }).offsetBytes / blockBytes - partitionStart;
  const adAt = feAt + entry.allocationOffsetBytes;
  const descriptors: [number, number, number][] = [
    [0, recordedBytes, firstDataBlock],
    [2, sparseExtentBytes, 0],
    [2, sparseExtentBytes, 0],
    [2, sparseExtentBytes, 0],
    [2, sparseExtentBytes, 0],
    [2, tailBytes, 0],
  ];
  descriptors.forEach(([kind, length, block], index) => {
    setUint32(bytes, adAt + index * 8, ((kind << 30) | length) >>> 0);
    setUint32(bytes, adAt + index * 8 + 4, block);
  });
  const allocationBytes = descriptors.length * 8;
  const extended = entry.extended;
  setUint32(bytes, feAt + (extended ? 212 : 172), allocationBytes);
  setUint32(bytes, feAt + 56, totalBytes % 2 ** 32); // information length, 64-bit (4/14.9.10)
  setUint32(bytes, feAt + 60, Math.floor(totalBytes / 2 ** 32));
  resealTagCovering(bytes, feAt, entry.allocationOffsetBytes + allocationBytes - 16);
  return bytes;
}

describe('files larger than 4 GiB', () => {
  it('reports the 64-bit size and streams recorded data then zeros for the sparse extents, as 7-Zip sizes it', async () => {
    const bytes = await patchedImage();
    const path = join(scratch, 'large.iso');
    writeFileSync(path, bytes);
    expect(listUdfWith7zz(path).find((entry) => entry.path === '/docs/data.bin')?.sizeBytes).toBe(totalBytes);

    const tree = await openUdfTree(createMemorySource(bytes));
    const entry = await tree?.lookup('/docs/data.bin');
    if (!tree || !entry) throw new Error('the patched image lost /docs/data.bin');
    expect(entry.sizeBytes).toBe(totalBytes);
    expect(totalBytes).toBeGreaterThan(2 ** 32);
    let streamed = 0;
    let head: Uint8Array | null = null;
    let nonZeroAfterData = false;
    for await (const chunk of readEntryContent(tree.source, entry, { chunkBytes: 64 * 1024 * 1024 })) {
      if (!head) head = chunk.slice(0, 40_000);
      else if (streamed >= recordedBytes && (chunk[0] !== 0 || chunk[chunk.byteLength - 1] !== 0)) nonZeroAfterData = true;
      streamed += chunk.byteLength;
    }
    expect(streamed).toBe(totalBytes);
    expect(Buffer.from(head ?? new Uint8Array()).equals(seededBytes('udf small data', 40_000))).toBe(true);
    expect(nonZeroAfterData).toBe(false);
  }, 60_000);
});
