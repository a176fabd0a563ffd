// The space a raw write of a hybrid ISO needs is where its ISO 9660 volume ends, not where its
// partitions end: a real xorriso hybrid (isohdpfx MBR, an EFI image, -isohybrid-gpt-basdat) whose MBR
// sfdisk left holding only the EFI system partition, which lies inside the volume. Before the volume
// was counted, `isotope info` said "a smaller target holds it all" at the ESP's end.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeImageFile } from '../../src-main/assess/assess-image.ts';
import { summarizeImage } from '../../src-main/image/summarize-image.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { isohybridMbr } from '../fixtures/boot-images.ts';
import { isotope } from '../helpers/in-process-cli.ts';

const MiB = 1024 * 1024;
let dir = '';
/** The hybrid ISO, its MBR holding only the ESP (partition 2 of xorriso's two). */
let hybrid = '';
/** The same with 2 MiB of zeros after the volume. */
let padded = '';

beforeAll(() => {
  dir = mkdtempSync('/tmp/isotope-space-needed-');
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'boot'), { recursive: true });
  // 3 MiB of data after the ESP, so the volume ends well past the ESP.
  writeFileSync(join(tree, 'data.bin'), Buffer.alloc(3 * MiB, 0x5a));
  runTool('mkfs.fat', ['-C', join(tree, 'boot/efi.img'), '1440']);
  hybrid = join(dir, 'hybrid.iso');
  const args = ['-as', 'mkisofs', '-R', '-o', hybrid, '-isohybrid-mbr', isohybridMbr, '-e', 'boot/efi.img', '-no-emul-boot', '-isohybrid-gpt-basdat', tree];
  runTool('xorriso', args);
  runTool('sfdisk', ['--delete', hybrid, '1']);
  padded = join(dir, 'padded.iso');
  copyFileSync(hybrid, padded);
  truncateSync(padded, statSync(hybrid).size + 2 * MiB);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the space a hybrid ISO needs on a drive', () => {
  it('is the whole ISO 9660 volume when the MBR lists only an ESP inside it', async () => {
    const summary = await summarizeImage(hybrid);
    const esp = summary.disk?.partitions.find((partition) => partition.typeCode === '0xef');
    expect(summary.disk?.partitions).toHaveLength(1);
    expect((esp?.offsetBytes ?? 0) + (esp?.sizeBytes ?? 0)).toBeLessThan(2 * MiB); // the ESP ends early
    expect(summary.volumeSizeBytes).toBe(summary.sizeBytes);
    expect(summary.disk?.requiredTargetBytes).toBe(summary.sizeBytes);
    expect((await judgeImageFile(hybrid)).requiredTargetBytes).toBeUndefined();
    const run = await isotope(['info', hybrid]);
    expect(run.stdout).toContain(`Drive needs:   ${summary.sizeBytes} bytes\n`);
    expect(run.stdout).not.toContain('may need only');
  });

  it('is where the volume ends when zeros follow it, worded as a hint the drive check decides', async () => {
    const summary = await summarizeImage(padded);
    const volumeBytes = summary.volumeSizeBytes ?? 0;
    expect(volumeBytes).toBeLessThan(summary.sizeBytes);
    expect(summary.disk?.requiredTargetBytes).toBe(volumeBytes);
    expect((await judgeImageFile(padded)).requiredTargetBytes).toBe(volumeBytes);
    const run = await isotope(['info', padded]);
    expect(run.stdout).toContain(
      `Drive needs:   ${summary.sizeBytes} bytes, or may need only ${volumeBytes} if the rest of the image is empty (checked when a drive is picked)`,
    );
  });
});
