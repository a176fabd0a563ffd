// ECMA-119 9.4 / 6.9: the path table, every directory once (the root first), in the order 6.9.1 fixes:
// by level, then by parent's directory number, then by identifier (9.3). The caller numbers the
// directories in that order (a breadth-first walk over identifier-sorted children gives it); the
// type L table has little-endian numbers, the type M table big-endian (8.4.14-8.4.17).
import { writeUint16Be, writeUint16Le, writeUint32Be, writeUint32Le } from './field-writer.ts';

/**
 * ECMA-119 9.4.4: a record names its parent's directory number in 16 bits, so only the first 65,535
 * directories may have subdirectories. A directory's own number is only its place in the table: more
 * directories than that are fine as long as they are leaves (xorriso writes such tables too).
 */
export const maxPathTableParentNumber = 0xffff;

export interface PathTableDirectory {
  /** d-characters (ISO) or UCS-2 (Joliet); the root's is one 0x00 byte (9.4.5). */
  readonly identifier: Uint8Array;
  readonly extentLba: number;
  /** The 1-based number of the parent in this table; the root's parent is itself, 1. */
  readonly parentNumber: number;
}

function pathTableRecordBytes(identifierBytes: number): number {
  // 9.4: 8 fixed bytes, the identifier, a padding byte after an odd-length identifier.
  return 8 + identifierBytes + (identifierBytes % 2);
}

export function pathTableSizeBytes(directories: readonly PathTableDirectory[]): number {
  let sizeBytes = 0;
  for (const directory of directories) sizeBytes += pathTableRecordBytes(directory.identifier.byteLength);
  return sizeBytes;
}

/** The table's bytes (exactly pathTableSizeBytes; the caller pads the sectors). */
export function buildPathTable(directories: readonly PathTableDirectory[], byteOrder: 'little' | 'big'): Uint8Array {
  const table = new Uint8Array(pathTableSizeBytes(directories));
  const writeUint32 = byteOrder === 'little' ? writeUint32Le : writeUint32Be;
  const writeUint16 = byteOrder === 'little' ? writeUint16Le : writeUint16Be;
  let at = 0;
  for (const directory of directories) {
    table[at] = directory.identifier.byteLength; // 9.4.1
    table[at + 1] = 0; // 9.4.2: no extended attribute record
    writeUint32(table, at + 2, directory.extentLba); // 9.4.3
    writeUint16(table, at + 6, directory.parentNumber); // 9.4.4
    table.set(directory.identifier, at + 8); // 9.4.5
    at += pathTableRecordBytes(directory.identifier.byteLength);
  }
  return table;
}
