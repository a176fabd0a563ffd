// The 'partitions' view of a disk image: one folder per partition at the root ("1-bootfs (FAT32)"),
// each browsed by its own file system. Every entry below a folder is its file system's entry with the
// folder in front of its path and its extents moved by the partition's offset, so whatever reads an
// entry's bytes (read-entry, preview, extraction, stat) reads them from the disk image unchanged. A
// bare file system (no partition table) is mounted at the root itself, with no folder and no offset.
import type { ImageEntry } from '../../shared/image.ts';
import type { Extent, FileTree, TreeEntry } from '../format/file-tree.ts';
import type { FilesystemTree } from '../format/filesystem-tree.ts';
import { splitImagePath } from '../format/tree-lookup.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import type { ByteSource } from '../io/byte-source.ts';

/** One partition's place in the view: its folder entry, and its file system when it can be listed. */
export interface MountedPartition {
  /** The folder at the root ("/1-bootfs (FAT32)"), or the root itself for a bare file system. */
  readonly folder: TreeEntry;
  readonly tree: FilesystemTree | null;
  readonly offsetBytes: number;
  /** The bytes of the partition the image holds: no entry's data may lie past them. */
  readonly sizeBytes: number;
}

/** The folder entry of a partition (or the root of a bare file system), carrying `partition`; null for the root above the folders. */
export function partitionFolderEntry(path: string, name: string, partition: NonNullable<ImageEntry['partition']> | null, offsetBytes: number): TreeEntry {
  const folder: TreeEntry = { path, name, type: 'directory', sizeBytes: 0, extents: [], extentLba: 0, hidden: false, recordOffsetBytes: offsetBytes };
  return partition ? { ...folder, partition } : folder;
}

export function openPartitionTree(source: ByteSource, root: TreeEntry, mounts: readonly MountedPartition[]): FileTree {
  const view = new PartitionView(root, mounts);
  return {
    source,
    namespace: 'partitions',
    namespaces: ['partitions'],
    root,
    listDirectory: (directory) => view.listDirectory(directory),
    lookup: (path) => view.lookup(path),
    walk: (from) => view.walk(from),
    walkBatches: (from) => view.walkBatches(from),
  };
}

class PartitionView {
  /** The file system's own entry behind each entry handed out (listDirectory gets ours back). */
  private readonly inner = new WeakMap<TreeEntry, { mount: MountedPartition; entry: TreeEntry }>();

  constructor(
    private readonly root: TreeEntry,
    private readonly mounts: readonly MountedPartition[],
  ) {}

  async listDirectory(directory: TreeEntry): Promise<TreeEntry[]> {
    if (directory.type !== 'directory') return [];
    const bare = this.bareMount();
    if (directory === this.root && !bare) return this.mounts.map((mount) => mount.folder);
    const found = this.resolve(directory);
    if (!found?.mount.tree) return [];
    const children = await found.mount.tree.listDirectory(found.entry);
    return children.map((child) => this.outer(found.mount, child));
  }

  async lookup(path: string): Promise<TreeEntry | null> {
    const parts = splitImagePath(path);
    const bare = this.bareMount();
    if (parts.length === 0) return this.root;
    const mount = bare ?? this.mounts.find((candidate) => candidate.folder.name === parts[0]);
    if (!mount) return null;
    const rest = bare ? parts : parts.slice(1);
    if (rest.length === 0) return mount.folder;
    const entry = await mount.tree?.lookup(`/${rest.join('/')}`);
    return entry ? this.outer(mount, entry) : null;
  }

  async *walk(from: TreeEntry = this.root): AsyncGenerator<TreeEntry> {
    for await (const batch of this.walkBatches(from)) yield* batch;
  }

  /** Depth first as every tree walks: the partition folders, then each partition's own walk. */
  async *walkBatches(from: TreeEntry = this.root): AsyncGenerator<readonly TreeEntry[]> {
    if (from.type !== 'directory') return;
    if (from === this.root && !this.bareMount()) {
      yield this.mounts.map((mount) => mount.folder);
      for (const mount of this.mounts) yield* this.walkMount(mount, null);
      return;
    }
    const found = this.resolve(from);
    if (found) yield* this.walkMount(found.mount, found.entry);
  }

  private async *walkMount(mount: MountedPartition, from: TreeEntry | null): AsyncGenerator<readonly TreeEntry[]> {
    if (!mount.tree) return;
    for await (const batch of mount.tree.walkBatches(from ?? mount.tree.root)) yield batch.map((entry) => this.outer(mount, entry));
  }

  private bareMount(): MountedPartition | null {
    const only = this.mounts[0];
    return this.mounts.length === 1 && only?.folder === this.root ? only : null;
  }

  /** The file system entry behind one of ours; a partition folder stands for its file system's root. */
  private resolve(entry: TreeEntry): { mount: MountedPartition; entry: TreeEntry } | null {
    const known = this.inner.get(entry);
    if (known) return known;
    const mount = this.mounts.find((candidate) => candidate.folder === entry);
    return mount?.tree ? { mount, entry: mount.tree.root } : null;
  }

  /** A file system's entry as the view shows it: path under the folder, extents in disk image offsets. */
  private outer(mount: MountedPartition, entry: TreeEntry): TreeEntry {
    const prefix = mount.folder === this.root ? '' : mount.folder.path;
    const shifted: TreeEntry = {
      ...entry,
      path: prefix === '' ? entry.path : `${prefix}${entry.path === '/' ? '' : entry.path}`,
      extents: entry.extents.map((extent) => shiftExtent(extent, mount, entry)),
      recordOffsetBytes: entry.recordOffsetBytes + mount.offsetBytes,
    };
    this.inner.set(shifted, { mount, entry });
    return shifted;
  }
}

/**
 * An extent in disk image offsets. A file system reader's extent past its own volume would read
 * another partition's bytes (or the table): that is damage, named here whatever reader missed it.
 */
function shiftExtent(extent: Extent, mount: MountedPartition, entry: TreeEntry): Extent {
  // A hole has no place in the image (offsetBytes unused): it stays a hole.
  if (extent.unrecorded) return extent;
  if (extent.offsetBytes + extent.sizeBytes > mount.sizeBytes) {
    throw new CorruptImageError(
      `${mount.folder.path}${entry.path}: its data (${extent.sizeBytes} bytes at ${extent.offsetBytes}) runs past the end of its partition (${mount.sizeBytes} bytes at offset ${mount.offsetBytes})`,
      { offsetBytes: mount.offsetBytes + entry.recordOffsetBytes },
    );
  }
  return mount.offsetBytes === 0 ? extent : { offsetBytes: extent.offsetBytes + mount.offsetBytes, sizeBytes: extent.sizeBytes };
}
