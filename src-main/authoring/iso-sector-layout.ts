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
