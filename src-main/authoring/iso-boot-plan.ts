// El Torito (2.0) in an authored image: each BootImageSpec's image found in the tree (the catalog then
// points at that file's data) or placed as a hidden region, the boot info table patched into a copy of
// the image's bytes (mkisofs -boot-info-table), and the catalog's entries once every LBA is known.
import type { IsoPlannedBootEntry } from '../../shared/authoring.ts';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { findAuthoringNode } from '../format/authoring-tree.ts';
import { sectorBytes } from '../format/fields.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { CodedError } from '../jobs/errors.ts';
import type { CatalogEntryWrite } from '../boot/el-torito-writer.ts';
import { withBootInfoTable, withGrub2BootInfo } from '../boot/el-torito-writer.ts';
import type { BootImageSpec } from './iso-authoring.ts';

/** A boot image with a boot info table is read whole while planning: refuse anything this large. */
export const maxPatchedBootImageBytes = 64 * 1024 * 1024;
/** El Torito 2.0 table 8 / 2.4: the load count is a 16-bit number of 512-byte virtual sectors. */
const maxLoadSectorCount512 = 0xffff;
/** mkisofs's default load size of a BIOS no-emulation image: 4 virtual sectors (2 KiB). */
const defaultBiosLoadSectorCount512 = 4;
const biosPlatformId = 0x00;
const efiPlatformId = 0xef;

export interface PlacedBootImage {
  readonly spec: BootImageSpec;
  /** The tree file holding the image, or null for an image outside the tree. */
  readonly node: AuthoringNode | null;
  readonly sizeBytes: number;
  /** Hidden images: their source; tree images read through the file's content. */
  readonly source: ByteSource;
  /** Filled by the composer: the image's first LBA. */
  imageLba: number;
}

/** Finds every spec's image (a tree path must name a file). */
export function resolveBootImages(root: AuthoringNode, specs: readonly BootImageSpec[]): PlacedBootImage[] {
  return specs.map((spec) => {
    if ('source' in spec.image) return { spec, node: null, sizeBytes: spec.image.source.sizeBytes, source: spec.image.source, imageLba: 0 };
    const node = findAuthoringNode(root, spec.image.path);
    if (!node || node.kind !== 'file' || !node.content) {
      throw new CodedError('not-found', `the boot image ${spec.image.path} is not a file in the image's tree`);
    }
    if (node.sizeBytes === 0) throw new CodedError('not-an-image', `the boot image ${spec.image.path} is empty (0 bytes)`);
    return { spec, node, sizeBytes: node.sizeBytes, source: node.content, imageLba: 0 };
  });
}

/** True when the image's bytes are patched with its own address (a boot info table, GRUB's boot info). */
export function needsPatch(image: PlacedBootImage): boolean {
  return image.spec.bootInfoTable || image.spec.grub2BootInfo === true;
}

/**
 * The image's bytes patched with its address: GRUB's boot info first (xorriso --grub2-boot-info), then
 * the boot info table (-boot-info-table: PVD at 16, the image's LBA, length, checksum), whose
 * checksum covers the GRUB patch, as xorriso computes it.
 */
export async function patchedBootImage(image: PlacedBootImage, primaryDescriptorLba: number): Promise<Uint8Array> {
  const where = 'path' in image.spec.image ? image.spec.image.path : image.spec.image.description;
  if (image.sizeBytes > maxPatchedBootImageBytes) {
    throw new CodedError(
      'file-too-large',
      `the boot image ${where} is ${image.sizeBytes} bytes; a boot info table is patched only into images of up to ${maxPatchedBootImageBytes} bytes`,
    );
  }
  if (image.sizeBytes < 64)
    throw new CodedError('not-an-image', `the boot image ${where} is ${image.sizeBytes} bytes, too short for a boot info table (64 bytes)`);
  let bytes = await image.source.read(0, image.sizeBytes);
  if (image.spec.grub2BootInfo === true) bytes = withGrub2BootInfo(bytes, image.imageLba);
  return image.spec.bootInfoTable ? withBootInfoTable(bytes, { primaryDescriptorLba, imageLba: image.imageLba }) : bytes;
}

/** The load size of an entry (El Torito 2.0 2.4): as given, else 4 for a BIOS no-emulation image, the whole image for EFI, 1 for emulation. */
function loadSectorCount512(image: PlacedBootImage): number {
  if (image.spec.loadSectorCount !== null) return Math.min(image.spec.loadSectorCount, maxLoadSectorCount512);
  if (image.spec.mediaType !== 0) return 1;
  if (image.spec.platformId === biosPlatformId) return defaultBiosLoadSectorCount512;
  return Math.min(Math.ceil(image.sizeBytes / 512), maxLoadSectorCount512);
}

export function catalogEntries(images: readonly PlacedBootImage[]): CatalogEntryWrite[] {
  return images.map((image) => ({
    platformId: image.spec.platformId,
    mediaType: image.spec.mediaType,
    loadSegment: image.spec.loadSegment,
    systemType: image.spec.systemType,
    loadSectorCount512: loadSectorCount512(image),
    imageLba: image.imageLba,
    bootable: image.spec.bootable ?? true,
  }));
}

/** The sectors a hidden image takes. */
export function bootImageSectors(image: PlacedBootImage): number {
  return Math.ceil(image.sizeBytes / sectorBytes);
}

export function plannedBootEntries(images: readonly PlacedBootImage[]): IsoPlannedBootEntry[] {
  return images.map(({ spec }) => ({
    platform: spec.platformId === biosPlatformId ? 'bios' : spec.platformId === efiPlatformId ? 'efi' : 'other',
    emulation: spec.mediaType === 0 ? 'none' : spec.mediaType === 4 ? 'hard-disk' : 'floppy',
    image: 'path' in spec.image ? spec.image.path : spec.image.description,
    bootInfoTable: spec.bootInfoTable,
  }));
}

export function isBiosImage(image: PlacedBootImage): boolean {
  return image.spec.platformId === biosPlatformId;
}
