// ISO 9660 and UDF as file systems of a disk image's partitions (format/filesystem-tree.ts): the
// image readers already offer FileTrees, so each adapter adds what the summary card says about the
// volume, read from its descriptors. An ISO inside a partition (a hybrid ISO's whole-disc partition,
// a Ventoy-style data partition) is then browsed like any other partition.
import type { FilesystemInfo } from '../../shared/image.ts';
import type { FileTree } from '../format/file-tree.ts';
import type { FilesystemOpener, FilesystemTree } from '../format/filesystem-tree.ts';
import { openIsoImage } from '../iso/iso-tree.ts';
import { openUdfTree } from '../udf/udf-tree.ts';

/** The volume's ISO 9660 tree (its best view: Rock Ridge, else Joliet, else plain); null without a primary volume descriptor. */
export const openIsoFilesystem: FilesystemOpener = async (source, options = {}) => {
  const iso = await openIsoImage(source, options.budget ? { budget: options.budget } : {});
  if (!iso) return null;
  const primary = iso.descriptors.primary;
  return withDescription(iso, {
    kind: 'iso9660',
    label: primary.volumeIdentifier === '' ? null : primary.volumeIdentifier,
    uuid: null,
    sizeBytes: primary.volumeSpaceSizeBlocks * primary.logicalBlockSizeBytes,
    // A read-only disc file system is full by construction: every block of it is recorded.
    usedBytes: primary.volumeSpaceSizeBlocks * primary.logicalBlockSizeBytes,
    browsable: true,
  });
};

/** The volume's UDF tree; null without a UDF anchor. */
export const openUdfFilesystem: FilesystemOpener = async (source, options = {}) => {
  const udf = await openUdfTree(source, options.budget ? { budget: options.budget } : {});
  if (!udf) return null;
  const label = udf.logicalVolume.logicalVolumeIdentifier;
  return withDescription(udf, { kind: 'udf', label: label === '' ? null : label, uuid: null, sizeBytes: source.sizeBytes, usedBytes: null, browsable: true });
};

/** The tree as a FilesystemTree: the same object's methods, plus `describe`. */
function withDescription(tree: FileTree, info: FilesystemInfo): FilesystemTree {
  return {
    source: tree.source,
    namespace: tree.namespace,
    namespaces: tree.namespaces,
    root: tree.root,
    listDirectory: (directory) => tree.listDirectory(directory),
    lookup: (path) => tree.lookup(path),
    walk: (from) => tree.walk(from),
    walkBatches: (from) => tree.walkBatches(from),
    describe: () => Promise.resolve(info),
  };
}
