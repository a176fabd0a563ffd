// A disk image as a tree of its partitions. Stub: filled next.
import type { DiskImageInfo } from '../../shared/image.ts';
import type { FileTree } from '../format/file-tree.ts';
import type { FilesystemOpenOptions } from '../format/filesystem-tree.ts';
import type { ByteSource } from '../io/byte-source.ts';

export interface DiskImage {
  readonly tree: FileTree;
  readonly info: DiskImageInfo;
}

export function openDiskImage(_source: ByteSource, _options?: FilesystemOpenOptions): Promise<DiskImage | null> {
  return Promise.resolve(null);
}
