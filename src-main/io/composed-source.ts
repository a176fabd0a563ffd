// A ByteSource assembled from pieces: bytes a writer computed, and ranges of other sources (a file's
// extents in an image, a WIM's resources). Writers plan a layout as pieces, then the flash pipeline,
// a file writer or a test reads it like any image; what no piece covers reads as zeros.
import { assertReadInBounds, readIntoBuffer, type ByteSource } from './byte-source.ts';

/** One piece of a composed source, at `offsetBytes` in it. Pieces must not overlap. */
export type ComposedPiece =
  | { readonly offsetBytes: number; readonly bytes: Uint8Array }
  | { readonly offsetBytes: number; readonly lengthBytes: number; readonly source: ByteSource; readonly sourceOffsetBytes: number };

function pieceLength(piece: ComposedPiece): number {
  return 'bytes' in piece ? piece.bytes.byteLength : piece.lengthBytes;
}

/** The first piece index whose end lies after `offsetBytes` (pieces sorted by offset). */
function firstPieceEndingAfter(pieces: readonly ComposedPiece[], offsetBytes: number): number {
  let low = 0;
  let high = pieces.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const piece = pieces[middle]!;
    if (piece.offsetBytes + pieceLength(piece) <= offsetBytes) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * A source of `sizeBytes` bytes made of `pieces` (any order; sorted here). Fails at once when two
 * pieces overlap or one reaches past the end: a layout bug must never write one file over another.
 * Closing it closes nothing: the pieces' sources belong to the caller.
 */
export function composeSource(name: string, sizeBytes: number, pieces: readonly ComposedPiece[]): ByteSource {
  const sorted = [...pieces].filter((piece) => pieceLength(piece) > 0).sort((a, b) => a.offsetBytes - b.offsetBytes);
  let previousEnd = 0;
  for (const piece of sorted) {
    const end = piece.offsetBytes + pieceLength(piece);
    if (piece.offsetBytes < previousEnd)
      throw new Error(`${name}: the piece at ${piece.offsetBytes} overlaps the one before it (which ends at ${previousEnd})`);
    if (end > sizeBytes) throw new Error(`${name}: the piece at ${piece.offsetBytes} ends at ${end}, past the end (${sizeBytes})`);
    previousEnd = end;
  }
  const source: ByteSource = {
    name,
    sizeBytes,
    async read(offsetBytes, lengthBytes) {
      assertReadInBounds(name, sizeBytes, offsetBytes, lengthBytes);
      const endBytes = offsetBytes + lengthBytes;
      const only = sorted[firstPieceEndingAfter(sorted, offsetBytes)];
      // A read inside one range of another source (most reads of a split WIM part or a copied file)
      // answers with that source's bytes as they are: no second buffer, no copy.
      if (only && 'source' in only && only.offsetBytes <= offsetBytes && endBytes <= only.offsetBytes + only.lengthBytes) {
        return only.source.read(only.sourceOffsetBytes + (offsetBytes - only.offsetBytes), lengthBytes);
      }
      const out = new Uint8Array(lengthBytes);
      await readPiecesInto(out, offsetBytes);
      return out;
    },
    async readInto(into, offsetBytes) {
      assertReadInBounds(name, sizeBytes, offsetBytes, into.byteLength);
      await readPiecesInto(into, offsetBytes);
    },
    close() {
      return Promise.resolve();
    },
  };

  /** Places each piece's bytes into its part of `into` (each source piece read straight into it) and zeros between them: `into` may hold old bytes. */
  async function readPiecesInto(into: Uint8Array, offsetBytes: number): Promise<void> {
    const endBytes = offsetBytes + into.byteLength;
    let filledTo = offsetBytes;
    // The source pieces' reads run together: a chunk holding many small files waits for the slowest
    // read, not for the sum of them (the thread pool does several preads at once).
    const reads: Promise<void>[] = [];
    for (let index = firstPieceEndingAfter(sorted, offsetBytes); index < sorted.length; index++) {
      const piece = sorted[index]!;
      if (piece.offsetBytes >= endBytes) break;
      const from = Math.max(offsetBytes, piece.offsetBytes);
      const to = Math.min(endBytes, piece.offsetBytes + pieceLength(piece));
      into.fill(0, filledTo - offsetBytes, from - offsetBytes);
      const inPiece = from - piece.offsetBytes;
      const part = into.subarray(from - offsetBytes, to - offsetBytes);
      if ('bytes' in piece) part.set(piece.bytes.subarray(inPiece, inPiece + (to - from)));
      else reads.push(readIntoBuffer(piece.source, part, piece.sourceOffsetBytes + inPiece));
      filledTo = to;
    }
    into.fill(0, filledTo - offsetBytes);
    await Promise.all(reads);
  }
  return source;
}
