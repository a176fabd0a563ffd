// The blocks a tree walk has met as directory data. ECMA-119 6.8.1 and ECMA-167 4/8.6: the hierarchy is
// a tree and each directory has extents of its own. A directory whose extent starts at, or overlaps, one
// already visited is a loop or a forgery that makes a walk read the same records again and again
// (issue 12 §5: overlapping directory extents made a 1.3 MB image list 4.92 million entries).
import type { Extent } from './file-tree.ts';

export class VisitedDirectoryBlocks {
  private readonly blocks = new Set<number>();
  private readonly blockBytes: number;
  private readonly sourceBlocks: number;

  constructor(blockBytes: number, sourceSizeBytes: number) {
    this.blockBytes = blockBytes;
    this.sourceBlocks = Math.ceil(sourceSizeBytes / blockBytes);
  }

  /**
   * Marks the blocks of a directory's extents and returns null; or, when one was marked before,
   * marks nothing and returns that block. A zero-length directory still owns its first block. Only
   * blocks inside the source are marked (the rest fail when read), so the set never outgrows the image.
   */
  visit(extents: readonly Extent[]): number | null {
    const mine: number[] = [];
    for (const extent of extents) {
      if (extent.unrecorded) continue;
      const first = Math.floor(extent.offsetBytes / this.blockBytes);
      const end = Math.min(this.sourceBlocks, Math.max(first + 1, Math.ceil((extent.offsetBytes + extent.sizeBytes) / this.blockBytes)));
      for (let block = first; block < end; block += 1) {
        if (this.blocks.has(block)) return block;
        mine.push(block);
      }
    }
    for (const block of mine) this.blocks.add(block);
    return null;
  }
}
