import { describe, expect, test } from 'vitest';
import { writeDirectoryRecordDate, writeVolumeDescriptorDate } from '../../../src-main/iso/field-writer.ts';

// The calendar fields are plain arithmetic (field-writer.ts); the JavaScript Date, which reads them
// from the same time value on its own, is the oracle.
function expectedFields(timeMs: number): number[] {
  const date = new Date(timeMs);
  return [
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    Math.floor(date.getUTCMilliseconds() / 10),
  ];
}

function volumeDescriptorFields(timeMs: number): number[] {
  const bytes = new Uint8Array(17);
  writeVolumeDescriptorDate(bytes, 0, timeMs);
  const text = new TextDecoder().decode(bytes.subarray(0, 16));
  return [text.slice(0, 4), text.slice(4, 6), text.slice(6, 8), text.slice(8, 10), text.slice(10, 12), text.slice(12, 14), text.slice(14, 16)].map(Number);
}

function directoryRecordFields(timeMs: number): number[] {
  const bytes = new Uint8Array(7);
  writeDirectoryRecordDate(bytes, 0, timeMs);
  return [bytes[0]! + 1900, bytes[1]!, bytes[2]!, bytes[3]!, bytes[4]!, bytes[5]!];
}

describe('ISO 9660 dates', () => {
  // Leap days (2000 is a leap year, 1900 and 2100 are not), year ends, the epoch, times before it
  // with fractions of a millisecond (a Date truncates them toward zero), and a spread of random times.
  const edges = [
    Date.UTC(1900, 1, 28, 23, 59, 59, 999),
    Date.UTC(1900, 2, 1),
    Date.UTC(1969, 11, 31, 23, 59, 59, 995) + 0.7,
    -1.5,
    0,
    0.999,
    Date.UTC(2000, 1, 29, 12),
    Date.UTC(2000, 11, 31, 23, 59, 59, 990),
    Date.UTC(2024, 1, 29, 6, 7, 8, 90),
    Date.UTC(2100, 1, 28, 23, 59, 59, 999),
    Date.UTC(2100, 2, 1),
    Date.UTC(2155, 11, 31, 23, 59, 59, 989),
  ];
  let seed = 0x2545f491;
  const random = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const lowest = Date.UTC(1900, 0, 1);
  const span = Date.UTC(2155, 11, 31, 23, 59, 59, 990) - lowest;
  const times = [...edges, ...Array.from({ length: 2000 }, () => lowest + random() * span)];

  test('the 17-byte descriptor date has the calendar fields a Date gives, to the hundredth', () => {
    for (const timeMs of times) expect(volumeDescriptorFields(timeMs), String(timeMs)).toEqual(expectedFields(timeMs));
  });

  test('the 7-byte record date has them to the second', () => {
    for (const timeMs of times) expect(directoryRecordFields(timeMs), String(timeMs)).toEqual(expectedFields(timeMs).slice(0, 6));
  });

  test('the descriptor date reaches back to year 1 and clamps after 9999', () => {
    const yearOne = new Date(0);
    yearOne.setUTCFullYear(1, 0, 1);
    expect(volumeDescriptorFields(yearOne.getTime() + 3_723_450)).toEqual([1, 1, 1, 1, 2, 3, 45]);
    expect(volumeDescriptorFields(yearOne.getTime() - 1)).toEqual([1, 1, 1, 0, 0, 0, 0]);
    expect(volumeDescriptorFields(Date.UTC(12_000, 0, 1))).toEqual([9999, 12, 31, 23, 59, 59, 99]);
  });
});
