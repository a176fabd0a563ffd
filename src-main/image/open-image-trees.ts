// Opens every file system an image offers (ISO 9660 and UDF, both on a bridge disc; with `disk`, the
// partitions of a disk image or a hybrid ISO) and picks the tree a namespace choice names. `auto` takes
// the ISO 9660 tree's best view unless that tree is only a stub (Windows installer ISOs: a README
// saying the disc needs UDF), when UDF is the real content; a disk image's partitions come first only
// when there is no ISO 9660 or UDF volume (a hybrid ISO's files are its ISO tree's, its partitions follow).
import type { ImageNamespace, ImageNamespaceChoice } from '../../shared/image.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { UdfTree } from '../udf/udf-tree.ts';
import { openUdfTree } from '../udf/udf-tree.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import type { FileTree } from '../format/file-tree.ts';
import type { IsoImage } from '../iso/iso-tree.ts';
import { NamespaceUnavailableError, openIsoImage } from '../iso/iso-tree.ts';
import { openDiskImage, type DiskImage } from './disk-image.ts';

export interface ImageTrees {
  /** The tree the namespace choice names. */
  readonly image: FileTree;
  readonly iso: IsoImage | null;
  readonly udf: UdfTree | null;
  /** The partitions view, when asked for (`disk`) and the image has a partition table, or is one bare file system. */
  readonly disk: DiskImage | null;
  /** Every namespace, best first (what `auto` picks is first). */
  readonly namespaces: readonly ImageNamespace[];
  readonly isoTreeIsStub: boolean;
}

const isoNamespaces: readonly ImageNamespace[] = ['iso9660', 'joliet', 'rockridge'];

export interface OpenImageTreesOptions {
  /**
   * Also open the 'partitions' view: `true` always (the summary names every namespace), 'fallback'
   * only when it is the tree asked for or there is no ISO 9660 or UDF volume (listing and reading a
   * hybrid ISO's files need not probe its partitions on every call). Off for the callers that copy or
   * judge an ISO's file tree (copy mode, remaster): a disk image's partitions are no ISO tree to copy.
   */
  readonly disk?: boolean | 'fallback';
  readonly signal?: AbortSignal;
}

/** Null when the source holds neither an ISO 9660 volume nor a UDF anchor (nor, with `disk`, partitions or a bare file system). */
export async function openImageTrees(
  source: ByteSource,
  choice: ImageNamespaceChoice = 'auto',
  options: OpenImageTreesOptions = {},
): Promise<ImageTrees | null> {
  const iso = await openIsoImage(source, isoNamespaces.includes(choice as ImageNamespace) ? { namespace: choice } : {});
  let udf: UdfTree | null = null;
  try {
    udf = await openUdfTree(source);
  } catch (error) {
    // A damaged UDF side must not hide a readable ISO 9660 tree unless UDF was asked for.
    if (!(error instanceof CorruptImageError) || !iso || choice === 'udf') throw error;
  }
  const hasDiscVolume = iso !== null || udf !== null;
  const wantsDisk = options.disk === true || choice === 'partitions' || (options.disk === 'fallback' && !hasDiscVolume);
  const disk = wantsDisk ? await openDiskView(source, { hasDiscVolume, choice, options }) : null;
  if (!iso && !udf && !disk) return null;
  const isoTreeIsStub = iso !== null && udf !== null && (await isStubTree(iso, udf));
  const namespaces: ImageNamespace[] = [...(iso?.namespaces ?? [])];
  if (udf) {
    if (!iso || isoTreeIsStub) namespaces.unshift('udf');
    else namespaces.push('udf');
  }
  if (disk) namespaces.push('partitions');
  const picked = choice === 'auto' ? (namespaces[0] as ImageNamespace) : choice;
  if (!namespaces.includes(picked)) throw new NamespaceUnavailableError(picked, namespaces);
  const image: FileTree = picked === 'partitions' ? (disk as DiskImage).tree : picked === 'udf' ? (udf as UdfTree) : (iso as IsoImage);
  return { image, iso, udf, disk, namespaces, isoTreeIsStub };
}

/**
 * The partitions view. Beside an ISO 9660 or UDF volume only a partition table counts (the ISO is
 * its own bare file system already), and a damaged table must not hide the disc's tree unless the
 * partitions were asked for.
 */
async function openDiskView(
  source: ByteSource,
  context: { hasDiscVolume: boolean; choice: ImageNamespaceChoice; options: OpenImageTreesOptions },
): Promise<DiskImage | null> {
  try {
    return await openDiskImage(source, { requireTable: context.hasDiscVolume, ...(context.options.signal ? { signal: context.options.signal } : {}) });
  } catch (error) {
    if (!(error instanceof CorruptImageError) || !context.hasDiscVolume || context.choice === 'partitions') throw error;
    return null;
  }
}

/**
 * A stub ISO 9660 tree: a few small files and no folders at its root, while the UDF root has more.
 * Windows installer discs carry exactly that: README.TXT ("This disc contains a UDF file system").
 */
async function isStubTree(iso: IsoImage, udf: UdfTree): Promise<boolean> {
  const isoRoot = await iso.listDirectory(iso.root);
  if (isoRoot.length > 3 || isoRoot.some((entry) => entry.type !== 'file' || entry.sizeBytes > 64 * 1024)) return false;
  const udfRoot = await udf.listDirectory(udf.root);
  return udfRoot.length > isoRoot.length || udfRoot.some((entry) => entry.type === 'directory');
}
