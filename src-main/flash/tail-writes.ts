// What a composed stick writes beyond its body: the drive's last MiB wiped (an old GPT backup there
// would otherwise outlive the new table) and, for GPT, the backup entries and header at the drive's
// end. Written after the body and before the first MiB (so the primary table lands last, as for any
// image), and read back when verifying. Pieces go through an aligned slot: O_DIRECT needs aligned memory.
import type { ByteSource } from '../io/byte-source.ts';
import { differingRange, mismatchFailure } from './differing-range.ts';
import type { FlashFailure } from './flash-error.ts';
import type { RawTarget } from './target/target-device.ts';

/** Bytes to write at an offset from the drive's start. */
export interface TailPiece {
  readonly offsetBytes: number;
  readonly bytes: Uint8Array;
}

/** What a composed stick (copy mode, format) adds to a flash: its tail, and a check of what the target holds. */
export interface StickWrites {
  /** The pieces for a target of this size (its own last MiB wiped, then the stick's tail laid over it). */
  tailFor(targetSizeBytes: number): readonly TailPiece[];
  /** After the byte comparison: the target read back (copy mode: every file through our FAT reader); null when it holds what it should. */
  verifyReadBack(target: ByteSource, signal: AbortSignal | undefined): Promise<FlashFailure | null>;
}

/**
 * Pieces laid one over the other in order (a later piece wins where they overlap) as disjoint pieces,
 * so what is written is what is read back: the wipe of a drive's own last MiB, then the stick's GPT backup over it.
 */
export function layPieces(pieces: readonly TailPiece[]): TailPiece[] {
  const spans = [...pieces]
    .map((piece) => ({ offsetBytes: piece.offsetBytes, endBytes: piece.offsetBytes + piece.bytes.length }))
    .sort((a, b) => a.offsetBytes - b.offsetBytes);
  const merged: { offsetBytes: number; endBytes: number }[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last !== undefined && span.offsetBytes <= last.endBytes) last.endBytes = Math.max(last.endBytes, span.endBytes);
    else merged.push({ ...span });
  }
  return merged.map((span) => {
    const bytes = new Uint8Array(span.endBytes - span.offsetBytes);
    for (const piece of pieces) {
      if (piece.offsetBytes >= span.offsetBytes && piece.offsetBytes < span.endBytes) bytes.set(piece.bytes, piece.offsetBytes - span.offsetBytes);
    }
    return { offsetBytes: span.offsetBytes, bytes };
  });
}

/** Writes every piece through `slot`, in slot-sized steps; answers the bytes written. */
export async function writeTail(raw: RawTarget, pieces: readonly TailPiece[], slot: Uint8Array): Promise<number> {
  let writtenBytes = 0;
  for (const piece of pieces) {
    for (let doneBytes = 0; doneBytes < piece.bytes.length; doneBytes += slot.length) {
      const step = piece.bytes.subarray(doneBytes, Math.min(piece.bytes.length, doneBytes + slot.length));
      slot.set(step);
      await raw.writeAt(slot.subarray(0, step.length), piece.offsetBytes + doneBytes);
      writtenBytes += step.length;
    }
  }
  return writtenBytes;
}

/** Reads every piece back from `target`: the first differing range as a verification failure, or null. */
export async function findTailMismatch(target: ByteSource, pieces: readonly TailPiece[], imagePath: string): Promise<FlashFailure | null> {
  for (const piece of pieces) {
    const actual = await target.read(piece.offsetBytes, piece.bytes.length);
    const range = differingRange(piece.bytes, actual, piece.offsetBytes);
    if (range !== null) return mismatchFailure(target.name, imagePath, range);
  }
  return null;
}
