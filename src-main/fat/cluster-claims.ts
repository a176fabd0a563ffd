// Which clusters the chains of a FAT or exFAT tree have claimed (FAT spec 4, exFAT spec 4 and 6.2: every
// cluster belongs to at most one file or folder). A cluster claimed twice is a loop in a chain, a
// cross-link between two files, or a folder that contains itself: a CorruptImageError naming the cluster.
import { corruptAt, type Place } from '../format/fields.ts';

export interface ClusterHeap {
  /** Clusters are numbered 2 .. clusterCount + 1 (FAT spec 4, exFAT spec 4). */
  readonly clusterCount: number;
  /** Where cluster 2 starts in the source. */
  readonly dataOffsetBytes: number;
  readonly bytesPerCluster: number;
  readonly source: { readonly sizeBytes: number };
}

/**
 * One bit per cluster. Only clusters whose data lies inside the source are counted (others fail as
 * out of range), so the bitmap never outgrows an eighth of a cluster per cluster of the source.
 */
export class ClusterClaims {
  private readonly bits: Uint8Array;
  private readonly heap: ClusterHeap;
  /** Where errors point: the allocation table the chains come from. */
  private readonly place: Place;
  readonly limitCluster: number;

  constructor(heap: ClusterHeap, place: Place) {
    this.heap = heap;
    this.place = place;
    const clustersInSource = Math.max(0, Math.floor((heap.source.sizeBytes - heap.dataOffsetBytes) / heap.bytesPerCluster));
    this.limitCluster = 1 + Math.min(heap.clusterCount, clustersInSource);
    this.bits = new Uint8Array((this.limitCluster >> 3) + 1);
  }

  /** Claims `cluster` for the chain from `firstCluster` that names `path`. */
  claim(cluster: number, firstCluster: number, path: string): void {
    if (cluster > this.limitCluster) {
      throw corruptAt(
        this.place,
        0,
        `${path}: cluster ${cluster} of the chain from cluster ${firstCluster} lies past the end of the image (${this.heap.source.sizeBytes} bytes)`,
      );
    }
    const mask = 1 << (cluster & 7);
    if ((this.bits[cluster >> 3] as number) & mask) {
      throw corruptAt(
        this.place,
        0,
        `${path}: the chain from cluster ${firstCluster} reaches cluster ${cluster}, which a chain already holds (a loop or a cross-link)`,
      );
    }
    this.bits[cluster >> 3] = (this.bits[cluster >> 3] as number) | mask;
  }
}
