// splitWim on WIMs it must refuse (solid, already split, not a WIM) and on damaged or hostile ones
// (real WIMs from wimlib-imagex with fields rewritten): a clear error with its code and the offset,
// never a crash; and the plan reads only the header and the blob table, whatever the WIM holds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppError } from '../../shared/errors.ts';
import { toAppError } from '../../src-main/app-error/to-app-error.ts';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { splitWim } from '../../src-main/wim/wim-split.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';
import { solidWimFixture, wimFixture } from './wim-fixtures.ts';

const mebibyte = 1024 * 1024;
const scratch = mkdtempSync(join(tmpdir(), 'wim-hostile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function realWim(): Buffer {
  return readFileSync(wimFixture('lzx'));
}

/** What splitting `bytes` fails with, as the contract reports it (an unexpected error would be `internal`). */
async function splitFailure(bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<AppError> {
  try {
    await splitWim(createMemorySource(bytes, 'test.wim'), { baseName: 'install.swm', maxPartBytes: mebibyte, ...options });
  } catch (error) {
    return toAppError(error, () => {});
  }
  throw new Error('splitWim accepted the WIM');
}

const blobTableOffsetField = 48 + 8;
const blobTableSizeField = 48 + 16;

/** The byte offset of the blob table and its first entry naming a file resource (flags without metadata). */
function firstFileEntryOffset(bytes: Buffer): number {
  const tableOffset = Number(bytes.readBigUInt64LE(blobTableOffsetField));
  const entryCount = Number(bytes.readBigUInt64LE(blobTableSizeField)) / 50;
  for (let index = 0; index < entryCount; index++) {
    const at = tableOffset + index * 50;
    if ((bytes[at + 7]! & 0x2) === 0) return at;
  }
  throw new Error('no file resource in the blob table');
}

/** A ByteSource that counts the bytes read through it. */
function countingSource(bytes: Uint8Array): ByteSource & { bytesRead: number; readCount: number } {
  const inner = createMemorySource(bytes, 'counted.wim');
  const counted = {
    name: inner.name,
    sizeBytes: inner.sizeBytes,
    bytesRead: 0,
    readCount: 0,
    read(offsetBytes: number, lengthBytes: number) {
      counted.bytesRead += lengthBytes;
      counted.readCount += 1;
      return inner.read(offsetBytes, lengthBytes);
    },
    close: () => inner.close(),
  };
  return counted;
}

describe('splitWim refuses what cannot be split', () => {
  it('refuses a solid WIM (as ESD files are) as unsupported, as wimlib does', async () => {
    const failure = await splitFailure(readFileSync(solidWimFixture()));
    expect(failure.code).toBe('unsupported');
    expect(failure.message).toMatch(/solid/);
  });

  it('refuses a part of a split WIM as unsupported, naming its number', async () => {
    const folder = mkdtempSync(join(scratch, 'parts-'));
    runTool('wimlib-imagex', ['split', wimFixture('lzx'), join(folder, 'part.swm'), '1']);
    const failure = await splitFailure(readFileSync(join(folder, 'part2.swm')));
    expect(failure).toMatchObject({ code: 'unsupported', message: expect.stringMatching(/part 2 of a \d+-part split WIM/) });
  });

  it('says a file without the WIM magic, or too small for a header, is not an image', async () => {
    expect((await splitFailure(Buffer.alloc(4096, 0x41))).code).toBe('not-an-image');
    expect((await splitFailure(realWim().subarray(0, 100))).code).toBe('not-an-image');
  });
});

describe('splitWim on damaged and hostile WIMs', () => {
  it('rejects a header size other than 208 bytes, naming the offset', async () => {
    const bytes = realWim();
    bytes.writeUInt32LE(512, 8);
    expect(await splitFailure(bytes)).toMatchObject({ code: 'corrupt-image', message: expect.stringMatching(/512 bytes.*WIM offset 8/) });
  });

  it('rejects a blob table that lies past the end of the file', async () => {
    const bytes = realWim();
    bytes.writeBigUInt64LE(BigInt(bytes.byteLength - 10), blobTableOffsetField);
    expect(await splitFailure(bytes)).toMatchObject({ code: 'corrupt-image', message: expect.stringMatching(/blob table .* outside/) });
  });

  it('rejects a blob table of absurdly many entries before reading it', async () => {
    const bytes = realWim();
    bytes.writeBigUInt64LE(BigInt(50 * 2 ** 22), blobTableSizeField);
    bytes.writeBigUInt64LE(BigInt(50 * 2 ** 22), 48); // the stored size too (its 7 bytes, then the flags byte)
    bytes[48 + 7] = 0x2;
    expect(await splitFailure(bytes)).toMatchObject({ code: 'corrupt-image', message: expect.stringMatching(/4194304 entries/) });
  });

  it('rejects a resource that reaches past the end of the file, naming its blob table entry', async () => {
    const bytes = realWim();
    const entry = firstFileEntryOffset(bytes);
    bytes.writeBigUInt64LE(BigInt(bytes.byteLength), entry + 8);
    expect(await splitFailure(bytes)).toMatchObject({ code: 'corrupt-image', message: expect.stringContaining(`WIM offset ${entry}`) });
  });

  it('rejects two resources that overlap, which would copy the same bytes into the parts twice', async () => {
    const bytes = realWim();
    const entry = firstFileEntryOffset(bytes);
    const tableOffset = Number(bytes.readBigUInt64LE(blobTableOffsetField));
    const metadataOffset = bytes.readBigUInt64LE(tableOffset + 8); // the first entry is image 1's metadata
    bytes.writeBigUInt64LE(metadataOffset, entry + 8);
    expect(await splitFailure(bytes)).toMatchObject({ code: 'corrupt-image', message: expect.stringMatching(/overlaps/) });
  });

  it('rejects a header that counts more images than its XML data describes', async () => {
    const bytes = realWim();
    bytes.writeUInt32LE(5, 44);
    expect(await splitFailure(bytes)).toMatchObject({ code: 'corrupt-image', message: expect.stringMatching(/5 images, the XML data describes 3/) });
  });

  it('rejects a blob table with fewer metadata resources than images (an unreferenced one does not count, as in wimlib)', async () => {
    const bytes = realWim();
    const tableOffset = Number(bytes.readBigUInt64LE(blobTableOffsetField));
    bytes.writeUInt32LE(0, tableOffset + 26); // the first entry, image 1's metadata: no reference
    expect(await splitFailure(bytes)).toMatchObject({ code: 'corrupt-image', message: expect.stringMatching(/3 images, the blob table holds 2 metadata/) });
  });

  it('rejects XML data over 16 MiB, which every part would copy', async () => {
    const bytes = Buffer.concat([realWim(), Buffer.alloc(17 * mebibyte)]);
    const xmlBytes = 17 * mebibyte;
    bytes.writeUIntLE(xmlBytes, 72, 6);
    bytes.writeBigUInt64LE(BigInt(bytes.byteLength - xmlBytes), 72 + 8);
    bytes.writeBigUInt64LE(BigInt(xmlBytes), 72 + 16);
    expect(await splitFailure(bytes)).toMatchObject({ code: 'corrupt-image', message: expect.stringMatching(/XML data of 17825792 bytes is more than/) });
  });

  it('stops with cancelled when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await splitFailure(realWim(), { signal: controller.signal })).code).toBe('cancelled');
  });

  it('answers every rewritten header or blob table byte with parts or an error of its code, never a crash', async () => {
    const original = realWim();
    const tableOffset = Number(original.readBigUInt64LE(blobTableOffsetField));
    const tableBytes = Number(original.readBigUInt64LE(blobTableSizeField));
    const random = createSeededRandom(14);
    const codes = new Set<string>();
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.from(original);
      for (let flip = 0; flip < 4; flip++) {
        const inHeader = random() < 0.5;
        const at = inHeader ? Math.floor(random() * 208) : tableOffset + Math.floor(random() * tableBytes);
        bytes[at] = Math.floor(random() * 256);
      }
      try {
        const parts = await splitWim(createMemorySource(bytes, 'mutated.wim'), { baseName: 'install.swm', maxPartBytes: mebibyte });
        // Whatever the plan, the parts copy each resource once: never more than the WIM, its blob
        // table's entries once, and a header and the XML data per part.
        const totalBytes = parts.reduce((sum, part) => sum + part.source.sizeBytes, 0);
        const [mutatedTableBytes, mutatedXmlBytes] = [bytes.readUIntLE(48 + 16, 6), bytes.readUIntLE(72 + 16, 6)];
        expect(totalBytes).toBeLessThanOrEqual(bytes.byteLength + mutatedTableBytes + parts.length * (208 + mutatedXmlBytes));
        codes.add('split');
      } catch (error) {
        const failure = toAppError(error, () => {});
        expect(failure.code, failure.message).not.toBe('internal');
        codes.add(failure.code);
      }
    }
    expect(codes.size).toBeGreaterThan(1);
  });
});

describe('splitWim reads only what it must', () => {
  it('plans from the header, blob table and XML data alone, and the parts read each resource once', async () => {
    const bytes = realWim();
    const tableBytes = Number(bytes.readBigUInt64LE(blobTableSizeField));
    const xmlBytes = Number(bytes.readBigUInt64LE(72 + 16));
    const wim = countingSource(bytes);
    const parts = await splitWim(wim, { baseName: 'install.swm', maxPartBytes: mebibyte });
    expect(wim.bytesRead).toBe(208 + tableBytes + xmlBytes);
    wim.bytesRead = 0;
    for (const part of parts) await part.source.read(0, part.source.sizeBytes);
    // Each resource once, plus the XML data once per part; not the old header or blob table. Resources
    // close together in the WIM share one read (io/composed-source.ts), which may take the few bytes
    // between them too: at most 4 KiB per resource.
    const tableOffset = Number(bytes.readBigUInt64LE(blobTableOffsetField));
    const resourceBytes = Array.from({ length: tableBytes / 50 }, (_, index) => bytes.readUIntLE(tableOffset + index * 50, 6));
    const needed = resourceBytes.reduce((sum, size) => sum + size, 0) + parts.length * xmlBytes;
    expect(wim.bytesRead).toBeGreaterThanOrEqual(needed);
    expect(wim.bytesRead).toBeLessThanOrEqual(needed + resourceBytes.length * 4096);
  });

  it('reads a part in runs of the WIM, not one read per resource', async () => {
    const bytes = realWim();
    const resourceCount = Number(bytes.readBigUInt64LE(blobTableSizeField)) / 50;
    const wim = countingSource(bytes);
    const parts = await splitWim(wim, { baseName: 'install.swm', maxPartBytes: mebibyte });
    wim.readCount = 0;
    for (const part of parts) await part.source.read(0, part.source.sizeBytes);
    // wimlib-imagex capture and append write resources one after another: a few runs per part.
    expect(resourceCount).toBeGreaterThan(40);
    expect(wim.readCount).toBeLessThanOrEqual(parts.length * 4);
  });
});
