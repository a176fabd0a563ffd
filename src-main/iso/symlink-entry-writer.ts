// RRIP 4.1.3 (IEEE P1282): the SL entries of a symbolic link, the target as component records (ROOT,
// CURRENT, PARENT or text), long components and long targets split with CONTINUE flags, as
// rock-ridge.ts and the Linux kernel join them again.
import { CodedError } from '../jobs/errors.ts';
import { maxSuspEntryBytes, suspEntry, utf8Pieces } from './susp-entry-writer.ts';

/** POSIX PATH_MAX less its terminator: what a symbolic link on Linux can hold. */
export const maxSymlinkTargetBytes = 4095;

/** RRIP 4.1.3.1 component record flags. */
const componentFlags = { continue: 0x01, current: 0x02, parent: 0x04, root: 0x08 } as const;
/** RRIP 4.1.3 SL flags: the link continues in the next SL entry. */
const continueInNextEntry = 0x01;

/** SL header (4) and flags (1) take 5 bytes of an entry; a component record's flags and length 2 more. */
const maxRecordsBytes = maxSuspEntryBytes - 5;
const maxComponentBytes = maxRecordsBytes - 2;

const encoder = new TextEncoder();

/** The SL entries of `target` (UTF-8 bytes), CONTINUE on all but the last; `origin` names the link in a refusal. */
export function encodeSymlinkEntries(target: string, origin: string): Uint8Array[] {
  const targetBytes = encoder.encode(target);
  if (targetBytes.byteLength > maxSymlinkTargetBytes) {
    throw new CodedError(
      'bad-source-name',
      `the symbolic link ${origin} points at a target of ${targetBytes.byteLength} bytes; at most ${maxSymlinkTargetBytes} are recorded`,
    );
  }
  const records = componentRecords(targetBytes);
  const groups: Uint8Array[][] = [[]];
  let groupBytes = 0;
  for (const record of records) {
    if (groupBytes + record.byteLength > maxRecordsBytes) {
      groups.push([]);
      groupBytes = 0;
    }
    (groups[groups.length - 1] as Uint8Array[]).push(record);
    groupBytes += record.byteLength;
  }
  return groups.map((group, index) => {
    const entry = suspEntry('SL', 1, 1 + group.reduce((sum, record) => sum + record.byteLength, 0));
    entry[4] = index + 1 < groups.length ? continueInNextEntry : 0;
    let at = 5;
    for (const record of group) {
      entry.set(record, at);
      at += record.byteLength;
    }
    return entry;
  });
}

/**
 * RRIP 4.1.3.1: one record per path component: a leading '/' is ROOT, '.' CURRENT, '..' PARENT,
 * an empty component ('a//b', 'dir/') an empty text record, so the target reads back byte for byte.
 */
function componentRecords(targetBytes: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  let start = 0;
  if (targetBytes[0] === 0x2f) {
    records.push(Uint8Array.of(componentFlags.root, 0));
    start = 1;
  }
  if (start === targetBytes.byteLength) return records; // '/' alone, or an empty target
  while (start <= targetBytes.byteLength) {
    let end = targetBytes.indexOf(0x2f, start);
    if (end === -1) end = targetBytes.byteLength;
    records.push(...textComponentRecords(targetBytes, start, end));
    start = end + 1;
  }
  return records;
}

function textComponentRecords(bytes: Uint8Array, start: number, end: number): Uint8Array[] {
  const length = end - start;
  if (length === 1 && bytes[start] === 0x2e) return [Uint8Array.of(componentFlags.current, 0)];
  if (length === 2 && bytes[start] === 0x2e && bytes[start + 1] === 0x2e) return [Uint8Array.of(componentFlags.parent, 0)];
  const pieces = utf8Pieces(bytes, start, end, maxComponentBytes);
  return pieces.map((piece, index) => {
    const record = new Uint8Array(2 + piece.byteLength);
    record[0] = index + 1 < pieces.length ? componentFlags.continue : 0;
    record[1] = piece.byteLength;
    record.set(piece, 2);
    return record;
  });
}
