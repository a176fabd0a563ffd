// The ECMA-119 directory record writer, read back by the record parser it mirrors (iso/directory-record.ts).
import { describe, expect, test } from 'vitest';
import { fileFlags, parseDirectoryRecord, parseDirectoryRecords } from '../../../src-main/iso/directory-record.ts';
import {
  directoryRecordBytes,
  fileSections,
  maxExtentBytes,
  noSystemUse,
  packDirectoryRecords,
  systemUseSpaceBytes,
  writeDirectoryRecord,
  type SystemUseField,
} from '../../../src-main/iso/directory-record-writer.ts';

const recordedMs = Date.UTC(2024, 5, 15, 12, 30, 45);

/** A System Use field given as bytes (the writer's own fields come from Rock Ridge's plans). */
function systemUseBytes(bytes: Uint8Array): SystemUseField {
  return { byteLength: bytes.byteLength, writeInto: (into, at) => into.set(bytes, at) };
}
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('writeDirectoryRecord', () => {
  test('writes every field as the parser reads it: extent, length both-endian, date, flags, identifier, system use', () => {
    const systemUse = Uint8Array.of(0x50, 0x58, 4, 1); // any even bytes
    const bytes = new Uint8Array(100);
    const length = writeDirectoryRecord(bytes, 10, {
      identifier: ascii('README.TXT;1'),
      extentLba: 1234,
      dataLengthBytes: 56789,
      flags: fileFlags.hidden,
      recordedMs,
      systemUse: systemUseBytes(systemUse),
    });
    expect(length).toBe(directoryRecordBytes(12, 4));
    expect(length).toBe(33 + 12 + 1 + 4); // an even identifier is followed by a padding byte (9.1.12)
    const record = parseDirectoryRecord(bytes, 10, { offsetBytes: 0 });
    expect(record).toMatchObject({ recordBytes: length, extentLba: 1234, dataLengthBytes: 56789, flags: fileFlags.hidden, recordedMs });
    expect(new TextDecoder().decode(record.identifier)).toBe('README.TXT;1');
    expect([...record.systemUse]).toEqual([...systemUse]);
    expect([...bytes.subarray(10 + 28, 10 + 32)]).toEqual([1, 0, 0, 1]); // volume sequence number 1, both-endian
  });

  test('clamps times the 7-byte date cannot hold to 1900 and 2155', () => {
    const bytes = new Uint8Array(40);
    writeDirectoryRecord(bytes, 0, {
      identifier: Uint8Array.of(0),
      extentLba: 0,
      dataLengthBytes: 0,
      flags: 0,
      recordedMs: Date.UTC(1850, 0, 1),
      systemUse: noSystemUse,
    });
    expect(parseDirectoryRecord(bytes, 0, { offsetBytes: 0 }).recordedMs).toBe(Date.UTC(1900, 0, 1));
    writeDirectoryRecord(bytes, 0, {
      identifier: Uint8Array.of(0),
      extentLba: 0,
      dataLengthBytes: 0,
      flags: 0,
      recordedMs: Date.UTC(2300, 0, 1),
      systemUse: noSystemUse,
    });
    expect(parseDirectoryRecord(bytes, 0, { offsetBytes: 0 }).recordedMs).toBe(Date.UTC(2155, 11, 31, 23, 59, 59));
  });

  test('refuses a record longer than 255 bytes and a length beyond 32 bits (layout bugs, never written)', () => {
    const bytes = new Uint8Array(400);
    const identifier = ascii('A'.repeat(31));
    expect(() =>
      writeDirectoryRecord(bytes, 0, {
        identifier,
        extentLba: 0,
        dataLengthBytes: 0,
        flags: 0,
        recordedMs,
        systemUse: systemUseBytes(new Uint8Array(systemUseSpaceBytes(31) + 2)),
      }),
    ).toThrow(/exceeds 255/);
    expect(() => writeDirectoryRecord(bytes, 0, { identifier, extentLba: 0, dataLengthBytes: 2 ** 32, flags: 0, recordedMs, systemUse: noSystemUse })).toThrow(
      RangeError,
    );
    expect(directoryRecordBytes(31, systemUseSpaceBytes(31))).toBeLessThanOrEqual(255);
  });
});

describe('packDirectoryRecords', () => {
  test('starts a record that would cross a sector at the next sector, as the parser requires (6.8.1.1)', () => {
    const lengths = Array.from({ length: 40 }, () => 100); // 20 fit a sector (2000 bytes), the 21st moves on
    const { offsets, sectorCount } = packDirectoryRecords(lengths);
    expect(offsets[20]).toBe(2048);
    expect(sectorCount).toBe(2);
    const extent = new Uint8Array(sectorCount * 2048);
    offsets.forEach((at, index) =>
      writeDirectoryRecord(extent, at, {
        identifier: ascii(`F${String(index).padStart(2, '0')}`.padEnd(100 - 34, 'X')),
        extentLba: index,
        dataLengthBytes: 0,
        flags: 0,
        recordedMs,
        systemUse: noSystemUse,
      }),
    );
    expect(parseDirectoryRecords(extent, { offsetBytes: 0 }).map((record) => record.extentLba)).toEqual(lengths.map((_, index) => index));
  });

  test('an empty directory is one sector', () => {
    expect(packDirectoryRecords([34, 34]).sectorCount).toBe(1);
  });
});

describe('fileSections', () => {
  test('a file whose size fits 32 bits is one extent, even just below 4 GiB', () => {
    expect(fileSections(0xffffffff)).toEqual([{ offsetBytes: 0, sizeBytes: 0xffffffff }]);
    expect(fileSections(0)).toEqual([{ offsetBytes: 0, sizeBytes: 0 }]);
  });

  test('4 GiB and more split into extents of 4 GiB - 2048 bytes, each starting on a sector', () => {
    expect(fileSections(2 ** 32)).toEqual([
      { offsetBytes: 0, sizeBytes: maxExtentBytes },
      { offsetBytes: maxExtentBytes, sizeBytes: 2048 },
    ]);
    const sections = fileSections(10 * 2 ** 30);
    expect(sections).toHaveLength(3);
    expect(sections.every((section) => section.offsetBytes % 2048 === 0)).toBe(true);
    expect(sections.reduce((sum, section) => sum + section.sizeBytes, 0)).toBe(10 * 2 ** 30);
  });
});
