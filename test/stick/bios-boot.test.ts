// BIOS boot in copy-files mode: an ISOLINUX image copied onto an MBR stick gets the host's SYSLINUX
// (mbr.bin in the MBR, its boot code in the FAT32 boot sector, a patched LDLINUX.SYS, ldlinux.c32 and
// a syslinux.cfg that loads the image's isolinux.cfg), fsck.fat stays clean and our verify agrees; a
// GPT stick, or an image without ISOLINUX, stays "UEFI only". The boot itself: bios-boot.integration.test.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWimPartBytes, noWindowsOptions, type CopyModeOptions, type PartitionTableChoice } from '../../shared/stick.ts';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { composeCopyModeStick, verifyCopiedFiles } from '../../src-main/stick/compose-stick.ts';
import { predictStickBoot } from '../../src-main/stick/predict-stick-boot.ts';
import { hostSyslinux } from '../../src-main/stick/syslinux-bios.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { isolinuxEfiIsoPath } from '../fixtures/isolinux-images.ts';
import { nonhybridGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { writeStickAndPartition } from './stick-file.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-bios-boot-'));
const opened: ByteSource[] = [];
afterAll(async () => {
  for (const source of opened) await source.close();
  rmSync(scratch, { recursive: true, force: true });
});

const deviceSizeBytes = 64 * 1024 * 1024;
const copyOn = (table: PartitionTableChoice): CopyModeOptions => ({ table, wimPartBytes: defaultWimPartBytes, windows: noWindowsOptions });

async function open(path: string): Promise<ByteSource> {
  const source = await openFileSource(path);
  opened.push(source);
  return source;
}

describe('SYSLINUX on a copy-files stick of an ISOLINUX image', () => {
  it('finds the host SYSLINUX of the image ISOLINUX version (6.04 here)', async () => {
    expect((await hostSyslinux())?.version).toBe('6.04');
  });

  it('installs it on an MBR stick: mbr.bin, the boot sector code, LDLINUX.SYS, ldlinux.c32 and syslinux.cfg', async () => {
    const image = await open(isolinuxEfiIsoPath());
    const stick = await composeCopyModeStick(image, { deviceSizeBytes, copy: copyOn('mbr') });
    expect([...stick.files.keys()]).toEqual(expect.arrayContaining(['/ldlinux.sys', '/ldlinux.c32', '/syslinux.cfg', '/isolinux/isolinux.cfg']));
    const { disk, partition } = await writeStickAndPartition(stick, scratch, deviceSizeBytes, 'mbr');
    runTool('fsck.fat', ['-n', partition]);
    const bytes = readFileSync(disk);
    expect(bytes.subarray(0, 440)).toEqual(readFileSync('/usr/lib/syslinux/mbr/mbr.bin').subarray(0, 440));
    expect(bytes.subarray(446, 447)[0]).toBe(0x80); // the partition mbr.bin starts is active
    const loader = await hostSyslinux();
    const bootSector = readFileSync(partition).subarray(0, 512);
    // The boot code around SYSLINUX's pointer to LDLINUX.SYS's first sector is SYSLINUX's own.
    expect(bootSector.subarray(0x5a, 0x70)).toEqual(Buffer.from(loader!.bootSector.subarray(0x5a, 0x70)));
    expect(runTool('mtype', ['-i', partition, '::/syslinux.cfg'])).toBe(
      'DEFAULT loadconfig\n\nLABEL loadconfig\n  CONFIG /isolinux/isolinux.cfg\n  APPEND /isolinux/\n',
    );
    const target = await open(disk);
    expect(await verifyCopiedFiles(target, stick)).toBeNull();
    expect(await predictStickBoot(image, { mode: 'copy', reason: 'chosen-by-user' }, { table: 'mbr' })).toMatchObject({
      usb: 'yes',
      bios: true,
      uefi: { x64: true },
    });
  });

  it('installs none on a GPT stick (mbr.bin boots only an MBR), which stays UEFI only', async () => {
    const image = await open(isolinuxEfiIsoPath());
    const stick = await composeCopyModeStick(image, { deviceSizeBytes, copy: copyOn('gpt') });
    expect(stick.files.has('/ldlinux.sys')).toBe(false);
    expect(await predictStickBoot(image, { mode: 'copy', reason: 'chosen-by-user' }, { table: 'gpt' })).toMatchObject({ bios: false, uefi: { x64: true } });
  });

  it('installs none for an image that boots BIOS another way (GRUB El Torito), whose MBR code stays zero', async () => {
    const image = await open(nonhybridGrubIsoPath());
    const stick = await composeCopyModeStick(image, { deviceSizeBytes, copy: copyOn('mbr') });
    expect(stick.files.has('/ldlinux.sys')).toBe(false);
    expect((await stick.body.read(0, 440)).every((byte) => byte === 0)).toBe(true);
    expect(await predictStickBoot(image, { mode: 'copy', reason: 'chosen-by-user' })).toMatchObject({ bios: false });
  });
});
