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

type SourcePiece = Extract<ComposedPiece, { source: ByteSource }>;

/** Every composed source's sorted pieces, so a layout of layouts can be flattened to the sources under them. */
const composedPieces = new WeakMap<ByteSource, readonly ComposedPiece[]>();

/**
 * Adds to `out` the non-empty `piece`, or, when its source is itself composed (a file's extents, a FAT
 * volume), the parts of that source's pieces it covers, moved to the piece's place: a stick then
 * reads its files' extents in the image directly, and neighbouring small files can share one read
 * (readPiecesInto). Pushed, not returned: an image of 50,000 files would make 50,000 one-piece lists.
 */
function flattenInto(piece: ComposedPiece, out: ComposedPiece[]): void {
  const inner = 'source' in piece ? composedPieces.get(piece.source) : undefined;
  if (!('source' in piece) || inner === undefined) {
    if (pieceLength(piece) > 0) out.push(piece);
    return;
  }
  const shift = piece.offsetBytes - piece.sourceOffsetBytes;
  const endBytes = piece.sourceOffsetBytes + piece.lengthBytes;
  for (let index = firstPieceEndingAfter(inner, piece.sourceOffsetBytes); index < inner.length; index++) {
    const part = inner[index]!;
    if (part.offsetBytes >= endBytes) break;
    const from = Math.max(piece.sourceOffsetBytes, part.offsetBytes);
    const to = Math.min(endBytes, part.offsetBytes + pieceLength(part));
    if (to <= from) continue;
    const inPart = from - part.offsetBytes;
    out.push(
      'bytes' in part
        ? { offsetBytes: from + shift, bytes: part.bytes.subarray(inPart, inPart + (to - from)) }
        : { offsetBytes: from + shift, lengthBytes: to - from, source: part.source, sourceOffsetBytes: part.sourceOffsetBytes + inPart },
    );
  }
}

/** Two source pieces this close in their source are read together: ISO 9660 and UDF pad each file to a 2 KiB sector. */
const maxSharedReadGapBytes = 4 * 1024;
/** ... as long as the one read stays this small. */
const maxSharedReadBytes = 4 * 1024 * 1024;

/** True when `next` can join a shared read that spans `[firstOffset, previous's end)` of the same source. */
function canShareRead(firstOffset: number, previous: SourcePiece, next: SourcePiece): boolean {
  const previousEnd = previous.sourceOffsetBytes + previous.lengthBytes;
  return (
    next.source === previous.source &&
    next.sourceOffsetBytes >= previousEnd &&
    next.sourceOffsetBytes - previousEnd <= maxSharedReadGapBytes &&
    next.sourceOffsetBytes + next.lengthBytes - firstOffset <= maxSharedReadBytes
  );
}

/** Reads source pieces that lie close together in one source with one read, then places each part. */
async function readShared(pieces: readonly { piece: SourcePiece; part: Uint8Array; inPiece: number }[]): Promise<void> {
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const startBytes = first.piece.sourceOffsetBytes + first.inPiece;
  if (pieces.length === 1) return readIntoBuffer(first.piece.source, first.part, startBytes);
  const span = new Uint8Array(last.piece.sourceOffsetBytes + last.inPiece + last.part.byteLength - startBytes);
  await readIntoBuffer(first.piece.source, span, startBytes);
  for (const { piece, part, inPiece } of pieces) {
    const at = piece.sourceOffsetBytes + inPiece - startBytes;
    part.set(span.subarray(at, at + part.byteLength));
  }
}

/**
 * A source of `sizeBytes` bytes made of `pieces` (any order; sorted here). Fails at once when two
 * pieces overlap or one reaches past the end: a layout bug must never write one file over another.
 * Closing it closes nothing: the pieces' sources belong to the caller.
 */
export function composeSource(name: string, sizeBytes: number, pieces: readonly ComposedPiece[]): ByteSource {
  const sorted: ComposedPiece[] = [];
  for (const piece of pieces) flattenInto(piece, sorted);
  sorted.sort((a, b) => a.offsetBytes - b.offsetBytes);
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

  /**
   * Places each piece's bytes into its part of `into` and zeros between them (`into` may hold old
   * bytes). A source piece is read straight into its part, or, with its close neighbours in the same
   * source (small files), in one shared read; the reads run together, so a chunk waits for the
   * slowest, not for their sum.
   */
  async function readPiecesInto(into: Uint8Array, offsetBytes: number): Promise<void> {
    const endBytes = offsetBytes + into.byteLength;
    let filledTo = offsetBytes;
    const groups: { piece: SourcePiece; part: Uint8Array; inPiece: number }[][] = [];
    for (let index = firstPieceEndingAfter(sorted, offsetBytes); index < sorted.length; index++) {
      const piece = sorted[index]!;
      if (piece.offsetBytes >= endBytes) break;
      const from = Math.max(offsetBytes, piece.offsetBytes);
      const to = Math.min(endBytes, piece.offsetBytes + pieceLength(piece));
      into.fill(0, filledTo - offsetBytes, from - offsetBytes);
      const inPiece = from - piece.offsetBytes;
      const part = into.subarray(from - offsetBytes, to - offsetBytes);
      filledTo = to;
      if ('bytes' in piece) {
        part.set(piece.bytes.subarray(inPiece, inPiece + (to - from)));
        continue;
      }
      const group = groups[groups.length - 1];
      const previous = group?.[group.length - 1];
      if (group && previous && canShareRead(group[0]!.piece.sourceOffsetBytes + group[0]!.inPiece, previous.piece, piece)) {
        group.push({ piece, part, inPiece });
      } else groups.push([{ piece, part, inPiece }]);
    }
    into.fill(0, filledTo - offsetBytes);
    await Promise.all(groups.map(readShared));
  }
  composedPieces.set(source, sorted);
  return source;
}
