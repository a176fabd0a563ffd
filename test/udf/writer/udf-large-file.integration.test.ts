// A file of more than 1 GiB in the UDF bridge: ECMA-167 4/14.14.1.1 caps an extent below 2^30 bytes,
// so its File Entry carries two allocation descriptors, the first a whole number of blocks. Read back
// by our reader (the bytes on both sides of the seam) and by 7-Zip (the whole file's SHA-256).
// Integration: it hashes the gibibyte twice.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ByteSource } from '../../../src-main/io/byte-source.ts';
import { composeSource } from '../../../src-main/io/composed-source.ts';
import { openUdfTree } from '../../../src-main/udf/udf-tree.ts';
import { seededBytes } from '../../fixtures/iso-images.ts';
import { composeUdfOnlyImage, directoryNode, fileNode, writeSparseImage } from './udf-only-image.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-udf-writer-large-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The largest extent a UDF allocation descriptor says: 2^30 bytes less one 2048-byte block. */
const maxExtentBytes = 0x4000_0000 - 2048;
const sizeBytes = 0x4000_0000 + 5000;
const seamBytes = seededBytes('udf writer seam', 4096);
const tailBytes = seededBytes('udf writer tail', 3000);

/** Zeros but for seeded bytes across the seam between the two extents and at the end: 1 GiB that costs no memory. */
function largeContent(): ByteSource {
  return composeSource('large.bin', sizeBytes, [
    { offsetBytes: maxExtentBytes - 2048, bytes: seamBytes },
    { offsetBytes: sizeBytes - tailBytes.byteLength, bytes: tailBytes },
  ]);
}

async function sha256Of(source: ByteSource, offsetBytes: number, lengthBytes: number): Promise<string> {
  const digest = createHash('sha256');
  for (let done = 0; done < lengthBytes; done += 16 * 1024 * 1024)
    digest.update(await source.read(offsetBytes + done, Math.min(16 * 1024 * 1024, lengthBytes - done)));
  return digest.digest('hex');
}

describe('UDF bridge writer: a file of more than 1 GiB', () => {
  it('records it as two extents, the first 2^30 - 2048 bytes, which our reader and 7-Zip read back whole', async () => {
    const content = largeContent();
    const image = composeUdfOnlyImage(directoryNode('', [fileNode('small.txt', new TextEncoder().encode('small\n')), fileNode('large.bin', content)]));
    const tree = (await openUdfTree(image.source))!;
    const entry = (await tree.lookup('/large.bin'))!;
    expect(entry.sizeBytes).toBe(sizeBytes);
    expect(entry.extents.map((extent) => extent.sizeBytes)).toEqual([maxExtentBytes, sizeBytes - maxExtentBytes]);
    const [first, second] = entry.extents;
    expect(second!.offsetBytes).toBe(first!.offsetBytes + maxExtentBytes);
    expect(Buffer.from(await image.source.read(first!.offsetBytes + maxExtentBytes - 2048, 4096)).equals(seamBytes)).toBe(true);
    expect(Buffer.from(await image.source.read(second!.offsetBytes + second!.sizeBytes - 3000, 3000)).equals(tailBytes)).toBe(true);

    const path = join(scratch, 'large.img');
    await writeSparseImage(image, path);
    const expectedSha = await sha256Of(content, 0, sizeBytes);
    // 7-Zip streams the file into sha256sum: a gibibyte never sits in this process.
    const sevenZipSha = execFileSync('sh', ['-c', '7zz e -so -tudf "$1" large.bin | sha256sum', 'sh', path], { encoding: 'utf8' }).split(' ')[0];
    expect(sevenZipSha).toBe(expectedSha);
    expect(execFileSync('7zz', ['l', '-slt', '-tudf', path], { encoding: 'utf8' })).toContain(`Size = ${sizeBytes}`);
  }, 180_000);
});
