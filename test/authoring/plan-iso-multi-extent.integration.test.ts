// One real 4.5 GiB image (written once, to the run's temporary folder): a file of 4 GiB and more is
// recorded as multi-extent records in ISO 9660 and Joliet (ECMA-119 6.5.1) and as one UDF file, and
// every namespace of our reader, xorriso and pycdlib sees the whole size, with the bytes on both sides
// of the 4 GiB - 2048 extent boundary in place.
import { closeSync, openSync, readSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ImageNamespace } from '../../shared/image.ts';
import { planIso } from '../../src-main/authoring/plan-iso.ts';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { openImageFile } from '../../src-main/image/open-image-file.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { listWithPycdlib } from '../iso/reference-listing.ts';
import { authoringOptions, directoryNode, fileNode, writePlannedIso } from './plan-iso-fixtures.ts';

const MiB = 1024 * 1024;
const hugeBytes = 4608 * MiB; // 4.5 GiB

/** Zeros, except each MiB starts with its index (8 bytes little-endian): any misplaced MiB shows. */
function markedSource(sizeBytes: number): ByteSource {
  return {
    name: 'marked',
    sizeBytes,
    read(offsetBytes, lengthBytes) {
      const bytes = new Uint8Array(lengthBytes);
      for (let mib = Math.ceil(offsetBytes / MiB); mib * MiB < offsetBytes + lengthBytes; mib += 1) {
        const at = mib * MiB - offsetBytes;
        for (let index = 0; index < 8 && at + index < lengthBytes; index += 1) bytes[at + index] = Number((BigInt(mib) >> BigInt(8 * index)) & 0xffn);
      }
      return Promise.resolve(bytes);
    },
    close: () => Promise.resolve(),
  };
}

let imagePath = '';
let remove = (): void => {};

beforeAll(async () => {
  const root = directoryNode('', [
    fileNode('small.txt', 'before\n'),
    directoryNode('big', [fileNode('disk.img', markedSource(hugeBytes))]),
    fileNode('zz.txt', 'after\n'),
  ]);
  const written = await writePlannedIso(await planIso(authoringOptions(root, { rockRidge: true, joliet: true, udf: true })), 'huge.iso');
  imagePath = written.path;
  remove = written.remove;
}, 600_000);

afterAll(() => remove());

/** The 8 bytes at `logicalOffset` of a file whose data lies in `extents` (image offsets), read from the image file. */
function readThroughExtents(extents: readonly { offsetBytes: number; sizeBytes: number }[], logicalOffset: number): bigint {
  let skipped = 0;
  for (const extent of extents) {
    if (logicalOffset < skipped + extent.sizeBytes) {
      const descriptor = openSync(imagePath, 'r');
      try {
        const bytes = Buffer.alloc(8);
        readSync(descriptor, bytes, 0, 8, extent.offsetBytes + (logicalOffset - skipped));
        return bytes.readBigUInt64LE(0);
      } finally {
        closeSync(descriptor);
      }
    }
    skipped += extent.sizeBytes;
  }
  throw new Error(`offset ${logicalOffset} lies past the extents`);
}

describe('planIso: a 4.5 GiB file', () => {
  test.each(['iso9660', 'joliet', 'rockridge', 'udf'] as const satisfies readonly ImageNamespace[])(
    'our reader sees its whole size in the %s namespace, every MiB in place across the extent boundary',
    async (namespace) => {
      const opened = await openImageFile(imagePath, { namespace });
      try {
        const path = namespace === 'iso9660' ? '/BIG/DISK.IMG' : '/big/disk.img';
        const entry = (await opened.image.lookup(path))!;
        expect(entry.sizeBytes).toBe(hugeBytes);
        if (namespace !== 'udf') expect(entry.extents).toHaveLength(2);
        // MiB 4095 ends 2048 bytes past the first extent's end (4 GiB - 2048): it straddles the boundary.
        for (const mib of [0, 1, 4095, 4096, 4607]) expect(readThroughExtents(entry.extents!, mib * MiB)).toBe(BigInt(mib));
      } finally {
        await opened.close();
      }
    },
    120_000,
  );

  test('xorriso sees both extents under the Rock Ridge name and reads every sector; pycdlib sees the whole size in UDF', () => {
    // xorriso reads a multi-extent file's Rock Ridge name from its last record: every record carries it.
    const lba = runTool('xorriso', ['-indev', imagePath, '-find', '/big', '-exec', 'report_lba']);
    expect(lba).toMatch(/File data lba:\s+0 ,\s+\d+ ,\s+2097151 ,\s+4831838208 , '\/big\/disk\.img'/);
    expect(lba).toMatch(/File data lba:\s+1 ,\s+\d+ ,\s+262145 ,\s+4831838208 , '\/big\/disk\.img'/);
    // pycdlib's listing sizes each ISO 9660 record on its own (it does so for xorriso's images too): only its UDF view is asked.
    const udf = listWithPycdlib(imagePath, 'udf', { content: false });
    expect(udf.find((entry) => entry.path === '/big/disk.img')?.sizeBytes).toBe(hugeBytes);
    expect(runTool('xorriso', ['-indev', imagePath, '-check_media', '--'])).toMatch(/Media region :\s+0 ,\s+\d+ , \+ good/);
  }, 300_000);
});
