// The composer's sector allocator: regions handed out in order from LBA 0, each named for the plan
// summary, and the byte pieces placed at them (io/composed-source.ts reads the image from those).
import type { IsoPlanRegion } from '../../shared/authoring.ts';
import { sectorBytes } from '../format/fields.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { ComposedPiece } from '../io/composed-source.ts';

export class SectorLayout {
  nextLba = 0;
  readonly regions: IsoPlanRegion[] = [];
  readonly pieces: ComposedPiece[] = [];
  /** How many regions are one file's data (the summary lists at most a few thousand). */
  fileRegionCount = 0;

  /** The next `sectorCount` sectors, named `name`; answers their first LBA. */
  reserve(name: string, sectorCount: number): number {
    const startLba = this.nextLba;
    if (sectorCount > 0) this.regions.push({ name, startLba, sectorCount });
    this.nextLba += sectorCount;
    return startLba;
  }

  /** Moves on to `lba` (a fixed place such as UDF's anchor at 256); the sectors skipped stay zero. */
  skipTo(lba: number): void {
    if (lba < this.nextLba) throw new Error(`cannot move the layout back from LBA ${this.nextLba} to ${lba}`);
    this.nextLba = lba;
  }

  /** Bytes computed by the writer, at `lba`. */
  putBytes(lba: number, bytes: Uint8Array): void {
    this.pieces.push({ offsetBytes: lba * sectorBytes, bytes });
  }

  /** `lengthBytes` of `source` from `sourceOffsetBytes`, at `lba` (a file's content, read during the write). */
  putSource(lba: number, source: ByteSource, sourceOffsetBytes: number, lengthBytes: number): void {
    this.pieces.push({ offsetBytes: lba * sectorBytes, lengthBytes, source, sourceOffsetBytes });
  }
}

/** Sectors given to something: a region of the layout, a file's run. */
export interface PlacedSectors {
  readonly startLba: number;
  readonly sectorCount: number;
}

/**
 * The one of `sorted` (by startLba, none overlapping) whose sectors hold `lba`, or null, by binary
 * search. An empty one (0 sectors) holds its first sector, so a descriptor or an empty file is named there.
 */
export function placedAt<T extends PlacedSectors>(sorted: readonly T[], lba: number): T | null {
  let low = 0;
  let high = sorted.length - 1;
  let found: T | null = null;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const candidate = sorted[middle]!;
    if (candidate.startLba <= lba) {
      found = candidate;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found !== null && lba < found.startLba + Math.max(1, found.sectorCount) ? found : null;
}
