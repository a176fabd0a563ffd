// Hostile PE files: Debian's signed shim with crafted damage (each case names the field it breaks) and a
// seeded mutation sweep of its headers, certificate table and .sbat section. Every case must end in
// success or a CorruptImageError naming where, never another exception, a hang or a read of more bytes
// than the file holds twice over (the work budget: headers once, each byte hashed once, the table once).
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { CorruptImageError } from '../../src-main/io/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { authenticodeSha256, readSignatures } from '../../src-main/pe/authenticode.ts';
import { readPeImage, type PeImage } from '../../src-main/pe/pe-image.ts';
import { readSbat } from '../../src-main/pe/sbat.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';

const SHIM_X64 = '/usr/lib/shim/shimx64.efi.signed';
const HEADER_BUDGET_BYTES = 128 * 1024;

let shim: Uint8Array;
let shimImage: PeImage;

beforeAll(async () => {
  shim = new Uint8Array(await readFile(SHIM_X64));
  shimImage = await readPeImage(createMemorySource(shim, 'shim'));
});

/** A memory source that counts the bytes read through it. */
function countingSource(bytes: Uint8Array): ByteSource & { readonly bytesRead: () => number } {
  const inner = createMemorySource(bytes, 'hostile.efi');
  let bytesRead = 0;
  return {
    ...inner,
    read(offsetBytes, lengthBytes) {
      bytesRead += lengthBytes;
      return inner.read(offsetBytes, lengthBytes);
    },
    bytesRead: () => bytesRead,
  };
}

/** Runs every reader; returns the error's message, or 'ok'. Anything but a CorruptImageError fails the test. */
async function readAll(bytes: Uint8Array): Promise<string> {
  const source = countingSource(bytes);
  try {
    const image = await readPeImage(source);
    await authenticodeSha256(source, image);
    await readSignatures(source, image);
    await readSbat(source, image);
    return 'ok';
  } catch (error) {
    if (!(error instanceof CorruptImageError)) throw error;
    expect(error.message).toMatch(/offset \d+|line \d+/);
    return error.message;
  } finally {
    expect(source.bytesRead()).toBeLessThanOrEqual(2 * bytes.byteLength + HEADER_BUDGET_BYTES);
  }
}

function edited(edit: (view: DataView, bytes: Uint8Array) => void, bytes: Uint8Array = shim): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer), copy);
  return copy;
}

const lfanewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(0x3c, true);
const sectionTableOffset = (bytes: Uint8Array) => lfanewOf(bytes) + 24 + new DataView(bytes.buffer, bytes.byteOffset).getUint16(lfanewOf(bytes) + 20, true);

describe('crafted hostile PE files', () => {
  it('refuses e_lfanew past the end, naming it and the file size', async () => {
    expect(await readAll(edited((view) => view.setUint32(0x3c, 0x7fff_fff0, true)))).toMatch(
      /e_lfanew 2147483632 points past the end of the 1048504-byte file/,
    );
  });

  it('refuses 65,535 sections without reading their table', async () => {
    expect(await readAll(edited((view) => view.setUint16(lfanewOf(shim) + 6, 0xffff, true)))).toMatch(/NumberOfSections 65535 exceeds the 96/);
  });

  it('refuses two sections sharing raw bytes, naming both', async () => {
    const table = sectionTableOffset(shim);
    const bytes = edited((view) => view.setUint32(table + 40 + 20, view.getUint32(table + 20, true) + 16, true));
    expect(await readAll(bytes)).toMatch(/sections \S+ \[\d+, \d+\) and \S+ \(at \d+\) overlap/);
  });

  it('refuses a section whose raw data ends past the file', async () => {
    const table = sectionTableOffset(shim);
    expect(await readAll(edited((view) => view.setUint32(table + 16, 0xffff_0000, true)))).toMatch(
      /section 0 \(\S+\) raw data .* ends past the 1048504-byte file/,
    );
  });

  it('refuses a certificate table past the end of the file', async () => {
    const entry = shimImage.certificateEntryOffsetBytes!;
    expect(await readAll(edited((view) => view.setUint32(entry + 4, shim.byteLength, true)))).toMatch(/certificate table \[\d+, \d+\) lies outside the file/);
  });

  it('refuses a certificate table laid over the raw data of a section, naming both', async () => {
    const entry = shimImage.certificateEntryOffsetBytes!;
    const firstSection = shimImage.sections.find((section) => section.rawSizeBytes > 0)!;
    const bytes = edited((view) => view.setUint32(entry, firstSection.rawOffsetBytes, true));
    expect(await readAll(bytes)).toMatch(/certificate table \[\d+, \d+\) overlaps section \S+ \[\d+, \d+\)/);
  });

  it('refuses a WIN_CERTIFICATE whose dwLength is huge or under its own header', async () => {
    const table = shimImage.certificateTable!.offsetBytes;
    expect(await readAll(edited((view) => view.setUint32(table, 0xffff_fff0, true)))).toMatch(/WIN_CERTIFICATE dwLength 4294967280 at offset \d+ does not fit/);
    expect(await readAll(edited((view) => view.setUint32(table, 4, true)))).toMatch(/WIN_CERTIFICATE dwLength 4 at offset/);
  });

  it('refuses a PKCS#7 blob whose DER length claims more than its WIN_CERTIFICATE holds', async () => {
    const table = shimImage.certificateTable!.offsetBytes;
    // SEQUENCE with a 4-byte length of 0x7fffffff: a nested length far past the entry.
    const bytes = edited((view) => {
      view.setUint8(table + 9, 0x84);
      view.setUint32(table + 10, 0x7fff_ffff);
    });
    expect(await readAll(bytes)).toMatch(/PKCS#7 signature at offset \d+ claims 2147483653 bytes, more than its \d+-byte WIN_CERTIFICATE/);
  });

  it('refuses headers cut short, a missing MZ and a PE32 magic that is neither', async () => {
    expect(await readAll(shim.slice(0, 40))).toMatch(/is 40 bytes, smaller than the 64-byte MS-DOS header/);
    expect(await readAll(edited((view) => view.setUint16(0, 0, true)))).toMatch(/no MZ signature/);
    expect(await readAll(edited((view) => view.setUint16(lfanewOf(shim) + 24, 0x1234, true)))).toMatch(/magic 0x1234 is neither PE32/);
  });

  it('refuses an .sbat line with a generation that is not a number, naming the line', async () => {
    const sbat = shimImage.sections.find((section) => section.name === '.sbat')!;
    const bytes = edited((_view, copy) => copy.set(new TextEncoder().encode('shim,x'), sbat.rawOffsetBytes));
    expect(await readAll(bytes)).toMatch(/SBAT line 1 has generation "x", not a decimal number/);
  });
});

/** Where the optional header's fields of shim (PE32+) and its certificate table lie. */
const optionalOf = (bytes: Uint8Array) => lfanewOf(bytes) + 24;

describe('more crafted hostile PE files, each with a clear error naming the field', () => {
  const cases: readonly (readonly [string, () => Uint8Array, RegExp])[] = [
    ['e_lfanew 0 (no PE signature there)', () => edited((view) => view.setUint32(0x3c, 0, true)), /no PE\\0\\0 signature where e_lfanew points/],
    ['PE signature zeroed', () => edited((view) => view.setUint32(lfanewOf(shim), 0, true)), /no PE\\0\\0 signature/],
    ['e_lfanew 4 bytes before the end', () => edited((view) => view.setUint32(0x3c, shim.byteLength - 4, true)), /e_lfanew \d+ points past the end/],
    ['file cut inside the COFF header', () => shim.slice(0, lfanewOf(shim) + 10), /e_lfanew \d+ points past the end of the \d+-byte file/],
    [
      'file cut inside the section table',
      () => shim.slice(0, sectionTableOffset(shim) + 20),
      /section table \(\d+ sections\) end at \d+, past the \d+-byte file/,
    ],
    ['NumberOfSections 97', () => edited((view) => view.setUint16(lfanewOf(shim) + 6, 97, true)), /NumberOfSections 97 exceeds the 96/],
    ['SizeOfOptionalHeader 0', () => edited((view) => view.setUint16(lfanewOf(shim) + 20, 0, true)), /magic 0x0 is neither PE32/],
    [
      'SizeOfOptionalHeader 2',
      () => edited((view) => view.setUint16(lfanewOf(shim) + 20, 2, true)),
      /optional header of 2 bytes is too small for NumberOfRvaAndSizes/,
    ],
    ['SizeOfHeaders 0', () => edited((view) => view.setUint32(optionalOf(shim) + 60, 0, true)), /SizeOfHeaders 0 is not between the section table's end/],
    [
      'SizeOfHeaders past the file',
      () => edited((view) => view.setUint32(optionalOf(shim) + 60, 0xffff_ffff, true)),
      /SizeOfHeaders 4294967295 is not between/,
    ],
    [
      'a section starting at byte 0, over the headers',
      () => edited((view) => view.setUint32(sectionTableOffset(shim) + 20, 0, true)),
      /raw data at 0 overlaps the \d+ bytes of headers/,
    ],
    [
      'two sections at the same offset',
      () => edited((view) => view.setUint32(sectionTableOffset(shim) + 80 + 20, view.getUint32(sectionTableOffset(shim) + 20, true), true)),
      /sections \S+ \[\d+, \d+\) and \S+ \(at \d+\) overlap/,
    ],
    ['file cut in the middle of its sections', () => shim.slice(0, 200 * 1024), /section \d+ \(\S+\) raw data \[\d+, \d+\) ends past the 204800-byte file/],
    [
      'certificate table size 0xffffffff',
      () => edited((view) => view.setUint32(shimImage.certificateEntryOffsetBytes! + 4, 0xffff_ffff, true)),
      /certificate table \[\d+, \d+\) lies outside the file/,
    ],
    [
      'certificate table inside the headers',
      () => edited((view) => view.setUint32(shimImage.certificateEntryOffsetBytes!, 16, true)),
      /certificate table \[16, \d+\) lies outside the file after the headers/,
    ],
    [
      'file cut inside its certificate table',
      () => shim.slice(0, shimImage.certificateTable!.offsetBytes + 100),
      /certificate table \[\d+, \d+\) lies outside the file/,
    ],
    [
      'WIN_CERTIFICATE dwLength 8 bytes past the table',
      () => edited((view) => view.setUint32(shimImage.certificateTable!.offsetBytes, shimImage.certificateTable!.sizeBytes + 8, true)),
      /WIN_CERTIFICATE dwLength \d+ at offset \d+ does not fit the \d+-byte certificate table/,
    ],
    [
      'PKCS#7 with an indefinite (0x80) outer length',
      () => edited((view) => view.setUint8(shimImage.certificateTable!.offsetBytes + 9, 0x80)),
      /PKCS#7 signature at offset \d+ claims an unreadable number of bytes/,
    ],
    [
      'PKCS#7 with 5 length octets',
      () => edited((view) => view.setUint8(shimImage.certificateTable!.offsetBytes + 9, 0x85)),
      /PKCS#7 signature at offset \d+ claims an unreadable number of bytes/,
    ],
    [
      'an .sbat line of 2 fields',
      () =>
        edited((_view, copy) =>
          copy.set(new TextEncoder().encode('shim,4\n\0'), shimImage.sections.find((section) => section.name === '.sbat')!.rawOffsetBytes),
        ),
      /SBAT line 1 has 2 fields, fewer than 6/,
    ],
  ];
  it.each(cases)('refuses %s', async (_name, bytes, message) => {
    expect(await readAll(bytes())).toMatch(message);
  });
});

describe('seeded mutation sweep of a signed shim', () => {
  it('ends 2,000 mutated files in a result or a CorruptImageError naming where, within the read budget', async () => {
    const random = createSeededRandom(18);
    const sbat = shimImage.sections.find((section) => section.name === '.sbat')!;
    const certificateTable = shimImage.certificateTable!;
    // Where the parsers look: the headers, the certificate table's first bytes, the .sbat section.
    const regions = [
      [0, shimImage.headersSizeBytes],
      [certificateTable.offsetBytes, 64],
      [sbat.rawOffsetBytes, sbat.virtualSizeBytes],
    ] as const;
    const interesting = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x2c, 0x0a];
    const outcomes = new Map<string, number>();
    for (let run = 0; run < 2000; run++) {
      const bytes = shim.slice();
      for (let edit = 1 + Math.floor(random() * 4); edit > 0; edit--) {
        const [start, length] = regions[Math.floor(random() * regions.length)]!;
        const at = start + Math.floor(random() * length);
        bytes[at] = random() < 0.5 ? interesting[Math.floor(random() * interesting.length)]! : Math.floor(random() * 256);
      }
      const input = random() < 0.1 ? bytes.subarray(0, Math.floor(random() * bytes.byteLength)) : bytes;
      const outcome = await readAll(input);
      const kind = outcome === 'ok' ? 'ok' : 'refused';
      outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
    }
    // The sweep exercises both paths: some damage is harmless (padding, unused fields), some is refused.
    expect(outcomes.get('ok')).toBeGreaterThan(100);
    expect(outcomes.get('refused')).toBeGreaterThan(100);
  }, 120_000);
});
