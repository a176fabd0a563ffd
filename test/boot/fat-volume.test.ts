// The FAT reader on EFI images made by mkfs.fat + mtools (inside xorriso-built ISOs), and on copies
// whose FAT was damaged: loops and stray clusters are CorruptImageErrors, never a hang.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { listEfiBootLoaders, openFatVolume, readDirectory, type FatVolume } from '../../src-main/fat/fat-volume.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';

async function efiImageOf(name: 'hybridGpt' | 'multiEntry' | 'appendedEsp'): Promise<{ image: Uint8Array; offsetBytes: number; volume: FatVolume }> {
  const image = new Uint8Array(readFileSync(bootFixturePath(name)));
  const source = createMemorySource(image);
  const report = await readBootReport(source);
  const efi = report.elTorito?.entries.find((entry) => entry.platform === 'efi');
  if (!efi) throw new Error(`${name} has no EFI entry`);
  const offsetBytes = efi.imageLba * 2048;
  const volume = await openFatVolume(source, offsetBytes);
  if (!volume) throw new Error(`${name}'s EFI image is not FAT`);
  return { image, offsetBytes, volume };
}

/** FAT spec 4.1: writes FAT12 entry `cluster` in the first FAT. */
function setFat12Entry(image: Uint8Array, volume: FatVolume, cluster: number, value: number): void {
  const at = volume.fatOffsetBytes + cluster + Math.floor(cluster / 2);
  const word = (image[at] as number) | ((image[at + 1] as number) << 8);
  const next = cluster % 2 === 0 ? (word & 0xf000) | value : (word & 0x000f) | (value << 4);
  image[at] = next & 0xff;
  image[at + 1] = next >> 8;
}

async function efiDirectoryCluster(image: Uint8Array, volume: FatVolume): Promise<number> {
  const root = await readDirectory({ ...volume, source: createMemorySource(image) }, 0);
  const efi = root.find((entry) => entry.name === 'EFI');
  if (!efi) throw new Error('no EFI directory');
  return efi.firstCluster;
}

describe('FAT reader', () => {
  it('tells FAT12, FAT16 and FAT32 apart as mkfs.fat made them', async () => {
    expect((await efiImageOf('hybridGpt')).volume.type).toBe('FAT12');
    expect((await efiImageOf('multiEntry')).volume.type).toBe('FAT16');
    expect((await efiImageOf('appendedEsp')).volume.type).toBe('FAT32');
  });

  it('refuses a directory whose cluster chain loops back on itself', async () => {
    const { image, offsetBytes, volume } = await efiImageOf('hybridGpt');
    const cluster = await efiDirectoryCluster(image, volume);
    setFat12Entry(image, volume, cluster, cluster);
    const error: unknown = await listEfiBootLoaders(createMemorySource(image), offsetBytes).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptImageError);
    expect((error as CorruptImageError).message).toMatch(new RegExp(`loops back to cluster ${cluster}`));
    // The whole report fails the same typed way (the CLI's exit code 3).
    await expect(readBootReport(createMemorySource(image))).rejects.toBeInstanceOf(CorruptImageError);
  });

  it('refuses a chain that leads to a cluster outside the volume', async () => {
    const { image, offsetBytes, volume } = await efiImageOf('hybridGpt');
    const cluster = await efiDirectoryCluster(image, volume);
    setFat12Entry(image, volume, cluster, volume.clusterCount + 2);
    await expect(listEfiBootLoaders(createMemorySource(image), offsetBytes)).rejects.toThrow(/outside 2-/);
  });

  it('refuses a boot sector whose sector count is smaller than its own metadata', async () => {
    const { image, offsetBytes } = await efiImageOf('hybridGpt');
    new DataView(image.buffer).setUint16(offsetBytes + 19, 3, true);
    await expect(listEfiBootLoaders(createMemorySource(image), offsetBytes)).rejects.toBeInstanceOf(CorruptImageError);
  });

  it('answers "not FAT" for sectors without a FAT boot sector', async () => {
    const { image } = await efiImageOf('hybridGpt');
    expect(await listEfiBootLoaders(createMemorySource(image), 0)).toBeNull(); // the isohybrid MBR
    expect(await listEfiBootLoaders(createMemorySource(image), image.byteLength - 100)).toBeNull();
  });
});
