// The UDF 2.50 metadata partition (OSTA UDF 2.2.10) on a real image rewritten by
// udf-metadata-builder.ts (mkudffs here cannot make one for a plain file): the listing must not
// change; a damaged metadata file falls back to the mirror, and both damaged is a typed error.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { readEntryContent } from '../../src-main/image/read-entry.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { crc16 } from '../../src-main/udf/udf-fields.ts';
import { openUdfTree } from '../../src-main/udf/udf-tree.ts';
import { udfSmallIsoPath } from '../fixtures/udf-images.ts';
import { toMetadataPartition } from './udf-metadata-builder.ts';
import { flipByte } from './udf-patching.ts';

const blockBytes = 2048;

async function listing(bytes: Uint8Array): Promise<{ path: string; type: string; sizeBytes: number; sha: number }[]> {
  const tree = await openUdfTree(createMemorySource(bytes));
  if (!tree) throw new Error('no UDF');
  const out: { path: string; type: string; sizeBytes: number; sha: number }[] = [];
  for await (const entry of tree.walk()) {
    let sum = 0;
    for await (const chunk of readEntryContent(tree.source, entry)) sum = crc16(chunk, 0, chunk.byteLength) ^ sum;
    out.push({ path: entry.path, type: entry.type, sizeBytes: entry.sizeBytes, sha: sum });
  }
  return out;
}

describe('UDF 2.50 metadata partition', () => {
  it('lists and reads the same tree through an out-of-order metadata file', async () => {
    const original = new Uint8Array(readFileSync(udfSmallIsoPath()));
    const expected = await listing(original);
    const { bytes, revision } = await toMetadataPartition(original);
    const tree = await openUdfTree(createMemorySource(bytes));
    expect(tree?.revision).toBe(revision);
    expect(tree?.logicalVolume.partitionMaps.map((map) => map.kind)).toEqual(['physical', 'metadata']);
    expect(await listing(bytes)).toEqual(expected);
  });

  it('falls back to the metadata mirror file when the metadata file is damaged, and fails when both are', async () => {
    const original = new Uint8Array(readFileSync(udfSmallIsoPath()));
    const expected = await listing(original);
    const { bytes, metadataFileSector } = await toMetadataPartition(original);
    flipByte(bytes, metadataFileSector * blockBytes + 180, 0x01);
    expect(await listing(bytes)).toEqual(expected);
    flipByte(bytes, (metadataFileSector + 1) * blockBytes + 180, 0x01);
    const error = await listing(bytes).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CorruptImageError);
    expect((error as Error).message).toMatch(
      /metadata file \(file entry\): descriptor CRC is wrong .*; metadata mirror file \(file entry\): descriptor CRC is wrong/,
    );
  });
});
