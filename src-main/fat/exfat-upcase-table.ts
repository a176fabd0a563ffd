// The up-case table an exFAT volume carries (exFAT spec 7.2.5): the spec's recommended table
// (7.2.5.1, table 25), in the compressed form the spec prints and mkfs.exfat writes (5,836 bytes, TableChecksum
// 0xE619D30D). It is rebuilt here from its case pairs rather than stored as 5,836 opaque bytes, and
// the result is checked against the spec's size and checksum when this module loads.
import { exfatChecksum } from './exfat-checksum.ts';

/**
 * Every code point the recommended table maps to another, as [first, count, delta, step]: the
 * `count` code points first, first + step, ... map to themselves plus `delta` (a-z: [0x61, 26, -32, 1];
 * Latin Extended-A's alternating lower/upper pairs have step 2). All other code points map to themselves.
 */
const caseRanges: readonly (readonly [number, number, number, number])[] = [
  [0x0061, 26, -32, 1],
  [0x00e0, 23, -32, 1],
  [0x00f8, 7, -32, 1],
  [0x00ff, 1, 121, 1],
  [0x0101, 24, -1, 2],
  [0x0133, 3, -1, 2],
  [0x013a, 8, -1, 2],
  [0x014b, 23, -1, 2],
  [0x017a, 3, -1, 2],
  [0x0180, 1, 195, 1],
  [0x0183, 2, -1, 2],
  [0x0188, 1, -1, 1],
  [0x018c, 1, -1, 1],
  [0x0192, 1, -1, 1],
  [0x0195, 1, 97, 1],
  [0x0199, 1, -1, 1],
  [0x019a, 1, 163, 1],
  [0x019e, 1, 130, 1],
  [0x01a1, 3, -1, 2],
  [0x01a8, 1, -1, 1],
  [0x01ad, 1, -1, 1],
  [0x01b0, 1, -1, 1],
  [0x01b4, 2, -1, 2],
  [0x01b9, 1, -1, 1],
  [0x01bd, 1, -1, 1],
  [0x01bf, 1, 56, 1],
  [0x01c6, 1, -2, 1],
  [0x01c9, 1, -2, 1],
  [0x01cc, 1, -2, 1],
  [0x01ce, 8, -1, 2],
  [0x01dd, 1, -79, 1],
  [0x01df, 9, -1, 2],
  [0x01f3, 1, -2, 1],
  [0x01f5, 1, -1, 1],
  [0x01f9, 20, -1, 2],
  [0x0223, 9, -1, 2],
  [0x023a, 1, 10795, 1],
  [0x023c, 1, -1, 1],
  [0x023e, 1, 10792, 1],
  [0x0242, 1, -1, 1],
  [0x0247, 5, -1, 2],
  [0x0253, 1, -210, 1],
  [0x0254, 1, -206, 1],
  [0x0256, 2, -205, 1],
  [0x0259, 1, -202, 1],
  [0x025b, 1, -203, 1],
  [0x0260, 1, -205, 1],
  [0x0263, 1, -207, 1],
  [0x0268, 1, -209, 1],
  [0x0269, 1, -211, 1],
  [0x026b, 1, 10743, 1],
  [0x026f, 1, -211, 1],
  [0x0272, 1, -213, 1],
  [0x0275, 1, -214, 1],
  [0x027d, 1, 10727, 1],
  [0x0280, 1, -218, 1],
  [0x0283, 1, -218, 1],
  [0x0288, 1, -218, 1],
  [0x0289, 1, -69, 1],
  [0x028a, 2, -217, 1],
  [0x028c, 1, -71, 1],
  [0x0292, 1, -219, 1],
  [0x037b, 3, 130, 1],
  [0x03ac, 1, -38, 1],
  [0x03ad, 3, -37, 1],
  [0x03b1, 17, -32, 1],
  [0x03c2, 1, -31, 1],
  [0x03c3, 9, -32, 1],
  [0x03cc, 1, -64, 1],
  [0x03cd, 2, -63, 1],
  [0x03d9, 12, -1, 2],
  [0x03f2, 1, 7, 1],
  [0x03f8, 1, -1, 1],
  [0x03fb, 1, -1, 1],
  [0x0430, 32, -32, 1],
  [0x0450, 16, -80, 1],
  [0x0461, 17, -1, 2],
  [0x048b, 27, -1, 2],
  [0x04c2, 7, -1, 2],
  [0x04cf, 1, -15, 1],
  [0x04d1, 34, -1, 2],
  [0x0561, 38, -48, 1],
  [0x1d7d, 1, 3814, 1],
  [0x1e01, 75, -1, 2],
  [0x1ea1, 45, -1, 2],
  [0x1f00, 8, 8, 1],
  [0x1f10, 6, 8, 1],
  [0x1f20, 8, 8, 1],
  [0x1f30, 8, 8, 1],
  [0x1f40, 6, 8, 1],
  [0x1f51, 4, 8, 2],
  [0x1f60, 8, 8, 1],
  [0x1f70, 2, 74, 1],
  [0x1f72, 4, 86, 1],
  [0x1f76, 2, 100, 1],
  [0x1f78, 2, 128, 1],
  [0x1f7a, 2, 112, 1],
  [0x1f7c, 2, 126, 1],
  [0x1f80, 8, 8, 1],
  [0x1f90, 8, 8, 1],
  [0x1fa0, 8, 8, 1],
  [0x1fb0, 2, 8, 1],
  [0x1fb3, 1, 9, 1],
  [0x1fcc, 1, -9, 1],
  [0x1fd0, 2, 8, 1],
  [0x1fe0, 2, 8, 1],
  [0x1fe5, 1, 7, 1],
  [0x1ffc, 1, -9, 1],
  [0x214e, 1, -28, 1],
  [0x2170, 16, -16, 1],
  [0x2184, 1, -1, 1],
  [0x24d0, 26, -26, 1],
  [0x2c30, 47, -48, 1],
  [0x2c61, 1, -1, 1],
  [0x2c68, 3, -1, 2],
  [0x2c76, 1, -1, 1],
  [0x2c81, 50, -1, 2],
  [0x2d00, 38, -7264, 1],
  [0xff41, 26, -32, 1],
];

/**
 * 7.2.5: in the compressed form, 0xFFFF then a count stands for that many code points that map to
 * themselves. The spec's table compresses exactly its identity runs of 843 code points and more (its
 * shortest compressed run) and writes shorter ones out (the longest written out has 337), so any
 * threshold between them rebuilds the same bytes.
 */
const shortestCompressedRun = 512;
const codePoints = 0x10000;

/** The spec's size and checksum of the table, which the rebuilt bytes must match. */
const recommendedTableBytes = 5836;
export const upcaseTableChecksum = 0xe619d30d;

function buildUpcaseTable(): Uint8Array {
  // A plain loop: Uint16Array.from with a mapping function took ~11 ms, paid by every process that
  // loads this module (the CLI's flash among them).
  const upcase = new Uint16Array(codePoints);
  for (let codePoint = 0; codePoint < codePoints; codePoint += 1) upcase[codePoint] = codePoint;
  for (const [first, count, delta, step] of caseRanges) {
    for (let index = 0; index < count; index += 1) upcase[first + index * step] = first + index * step + delta;
  }
  const units: number[] = [];
  for (let codePoint = 0; codePoint < codePoints;) {
    let runEnd = codePoint;
    while (runEnd < codePoints && upcase[runEnd] === runEnd) runEnd += 1;
    if (runEnd - codePoint >= shortestCompressedRun) {
      units.push(0xffff, runEnd - codePoint);
      codePoint = runEnd;
    } else {
      units.push(upcase[codePoint] as number);
      codePoint += 1;
    }
  }
  const bytes = new Uint8Array(new Uint16Array(units).buffer); // little-endian on every host Node runs on
  if (bytes.byteLength !== recommendedTableBytes || exfatChecksum(bytes) !== upcaseTableChecksum) {
    throw new Error(`the rebuilt exFAT up-case table (${bytes.byteLength} bytes) is not the spec's recommended table`);
  }
  return bytes;
}

/** The compressed recommended up-case table, exactly as the spec gives it. Never write into it. */
export const upcaseTable: Uint8Array = buildUpcaseTable();
