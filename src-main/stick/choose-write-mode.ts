// How to write an image to a stick, and why: raw (its bytes as they are) when they boot from a USB
// stick or are not a file system we can copy from; copy files (a fresh FAT32 stick holding the
// image's files) when the image boots only from optical media and its files carry a UEFI loader,
// and for Windows installers, whose UDF tree no firmware reads from a USB stick.
import type { WriteModeChoice, WriteModeRequest } from '../../shared/stick.ts';
import type { BootWarning } from '../../shared/boot.ts';
import { readGuidPartitionTable } from '../disk/guid-partition-table.ts';
import { readMasterBootRecord } from '../disk/master-boot-record.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { openImageTrees } from '../image/open-image-trees.ts';
import { findEfiLoadersToCopy } from './efi-loaders.ts';
import { findWindowsSetupImage } from './image-markers.ts';

export async function chooseWriteMode(image: ByteSource, request: WriteModeRequest): Promise<WriteModeChoice> {
  if (request !== 'auto') return { mode: request, reason: 'chosen-by-user' };
  const trees = await openImageTrees(image);
  // An MBR (with boot code or partitions) or a GPT in sector 0-1: an isohybrid ISO or a disk image,
  // whose own boot structures work when written byte for byte.
  if (await hasPartitionTable(image)) return { mode: 'raw', reason: trees ? 'hybrid-iso' : 'disk-image' };
  if (!trees) return { mode: 'raw', reason: 'not-a-file-system-image' };
  // A Windows installer's files live in UDF (the ISO 9660 side is often a stub); look there first.
  if (await findWindowsSetupImage(trees.udf ?? trees.image)) return { mode: 'copy', reason: 'windows-installer' };
  // A loader in the tree's EFI/BOOT or in the El Torito EFI image: copied onto FAT32, UEFI starts it.
  const loaders = await findEfiLoadersToCopy(image, trees.image);
  return loaders.names.length > 0 ? { mode: 'copy', reason: 'el-torito-efi-not-hybrid' } : { mode: 'raw', reason: 'no-efi-loader' };
}

/** Sector 0 holds an MBR with boot code or a partition, or LBA 1 a GPT header. */
async function hasPartitionTable(image: ByteSource): Promise<boolean> {
  const mbr = await readMasterBootRecord(image);
  if (mbr && (mbr.hasBootCode || mbr.partitions.length > 0)) return true;
  const warnings: BootWarning[] = [];
  return (await readGuidPartitionTable(image, warnings)) !== null;
}
