// The smallest FAT12 (or FAT16) image holding given files: an El Torito EFI boot image, as
// grub-mkrescue's efi.img.
import type { ByteSource } from '../io/byte-source.ts';
import { CodedError } from '../jobs/errors.ts';
import type { FatInputEntry } from './fat32-writer.ts';

export function planFatImage(options: { entries: readonly FatInputEntry[]; label: string; volumeId: number }): { source: ByteSource; sizeBytes: number } {
  throw new CodedError('unsupported', `FAT image of ${options.entries.length} entries: not written yet`);
}
