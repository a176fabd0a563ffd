// Opens every file system an image offers (ISO 9660 and UDF, both on a bridge disc) and picks the
// tree a namespace choice names. `auto` takes the ISO 9660 tree's best view unless that tree is only
// a stub (Windows installer ISOs: a README saying the disc needs UDF), when UDF is the real content.
import type { ImageNamespace, ImageNamespaceChoice } from '../../shared/image.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { UdfTree } from '../udf/udf-tree.ts';
import { openUdfTree } from '../udf/udf-tree.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import type { FileTree } from '../format/file-tree.ts';
import type { IsoImage } from '../iso/iso-tree.ts';
import { NamespaceUnavailableError, openIsoImage } from '../iso/iso-tree.ts';

export interface ImageTrees {
  /** The tree the namespace choice names. */
  readonly image: FileTree;
  readonly iso: IsoImage | null;
  readonly udf: UdfTree | null;
  /** Every namespace, best first (what `auto` picks is first). */
  readonly namespaces: readonly ImageNamespace[];
  readonly isoTreeIsStub: boolean;
}

const isoNamespaces: readonly ImageNamespace[] = ['iso9660', 'joliet', 'rockridge'];

/** Null when the source holds neither an ISO 9660 volume nor a UDF anchor. */
export async function openImageTrees(source: ByteSource, choice: ImageNamespaceChoice = 'auto'): Promise<ImageTrees | null> {
  const iso = await openIsoImage(source, isoNamespaces.includes(choice as ImageNamespace) ? { namespace: choice } : {});
  let udf: UdfTree | null = null;
  try {
    udf = await openUdfTree(source);
  } catch (error) {
    // A damaged UDF side must not hide a readable ISO 9660 tree unless UDF was asked for.
    if (!(error instanceof CorruptImageError) || !iso || choice === 'udf') throw error;
  }
  if (!iso && !udf) return null;
  const isoTreeIsStub = iso !== null && udf !== null && (await isStubTree(iso, udf));
  const namespaces: ImageNamespace[] = [...(iso?.namespaces ?? [])];
  if (udf) {
    if (!iso || isoTreeIsStub) namespaces.unshift('udf');
    else namespaces.push('udf');
  }
  const picked = choice === 'auto' ? (namespaces[0] as ImageNamespace) : choice;
  if (!namespaces.includes(picked)) throw new NamespaceUnavailableError(picked, namespaces);
  const image: FileTree = picked === 'udf' ? (udf as UdfTree) : (iso as IsoImage);
  return { image, iso, udf, namespaces, isoTreeIsStub };
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
