// The UEFI loaders a copy-files stick gets: the image tree's EFI/BOOT/BOOT*.EFI, or, when the tree has
// none (genisoimage -efi-boot images keep their loader only inside the El Torito EFI image, a FAT
// volume), the loaders of that FAT volume's EFI/BOOT, copied to the stick's EFI/BOOT as Rufus does.
// UEFI 2.10 3.5.1.1 starts them from the stick's FAT32 partition either way.
import { readBootCatalog } from '../boot/boot-catalog.ts';
import { findBootRecord } from '../boot/boot-record.ts';
import { openFatTree } from '../fat/fat-tree.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import type { FileTree, TreeEntry } from '../format/file-tree.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { findEfiBootLoaderEntries, findEfiBootLoaders } from './image-markers.ts';

const isoSectorBytes = 2048;

export interface EfiLoadersToCopy {
  /** Where they come from: the image's own tree, the El Torito EFI image, or nowhere. */
  readonly origin: 'tree' | 'el-torito' | 'none';
  /** Their names, as the image names them (BOOTX64.EFI, bootaa64.efi, ...). */
  readonly names: readonly string[];
  /** El Torito only: the loader files inside the EFI image, with extents in the image's offsets. */
  readonly elToritoFiles: readonly TreeEntry[];
}

export async function findEfiLoadersToCopy(image: ByteSource, tree: FileTree): Promise<EfiLoadersToCopy> {
  const inTree = await findEfiBootLoaders(tree);
  if (inTree.length > 0) return { origin: 'tree', names: inTree, elToritoFiles: [] };
  const elToritoFiles = await elToritoEfiLoaders(image);
  if (elToritoFiles.length === 0) return { origin: 'none', names: [], elToritoFiles };
  return { origin: 'el-torito', names: elToritoFiles.map((entry) => entry.name), elToritoFiles };
}

/**
 * The EFI/BOOT loaders of the first bootable El Torito EFI entry (El Torito 1.0 2.1: platform 0xEF)
 * whose image is a FAT volume holding some. An entry whose image is not FAT, or a damaged one, is
 * passed over: that image only loses a way to boot it has no working form of.
 */
async function elToritoEfiLoaders(image: ByteSource): Promise<TreeEntry[]> {
  const record = await findBootRecord(image);
  if (!record) return [];
  const catalog = await readBootCatalog(image, record.catalogLba);
  const seen = new Set<number>();
  for (const entry of catalog.entries) {
    if (entry.platform !== 'efi' || !entry.bootable || seen.has(entry.imageLba)) continue;
    seen.add(entry.imageLba); // hostile catalogs name one image many times
    try {
      const loaders = await findEfiBootLoaderEntries(await openFatTree(image, { offsetBytes: entry.imageLba * isoSectorBytes }));
      if (loaders.length > 0) return loaders;
    } catch (error) {
      if (!(error instanceof CorruptImageError)) throw error;
    }
  }
  return [];
}
