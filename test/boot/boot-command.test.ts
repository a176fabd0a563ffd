// `isotope boot IMAGE [--json]` through the real CLI parser and service: JSON shape and exit codes
// (0 ok, 1 not found / not an image, 2 usage, 3 corrupt image).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BootReport } from '../../shared/boot.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { uBootCardPath } from './disk-boot-images.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-boot-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('isotope boot', () => {
  it('prints the report as JSON with the documented fields', async () => {
    const { code, stdout } = await isotope(['boot', bootFixturePath('hybridGpt'), '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['elTorito', 'mbr', 'gpt', 'apm', 'verdict']));
    expect(report).toMatchObject({
      elTorito: {
        catalogLba: 33,
        entries: [
          { platform: 'x86', emulation: 'none', sectorCount: 4 },
          { platform: 'efi', efiLoaders: ['BOOTX64.EFI', 'BOOTIA32.EFI'] },
        ],
      },
      mbr: { partitions: [{ index: 1 }, { index: 2, type: 0xef }] },
      gpt: { partitions: [{ index: 1 }, { index: 2, typeGuid: 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7' }] },
      warnings: [],
      verdict: { usb: 'yes', usbBios: true, usbUefi: { x64: true, ia32: true, aa64: false }, opticalBios: true, opticalUefi: { x64: true } },
    });
  });

  it('explains the verdict in words', async () => {
    const { code, stdout } = await isotope(['boot', bootFixturePath('multiEntry')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/USB stick: +depends on the firmware/);
    expect(stdout).toMatch(/USB, BIOS: +no/);
    expect(stdout).toMatch(/EDK2-based firmware \(OVMF, many PCs\) reads El Torito from a USB stick/);
  });

  it('reports a zero-size GPT entry xorriso wrote as a warning and still gives the verdict (exit 0, not 3)', async () => {
    const { code, stdout, stderr } = await isotope(['boot', bootFixturePath('zeroSizeGptEntry')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Warnings:\n {2}- GPT partition 3 ends at LBA 3015, before its start 3016 \(a zero-size entry, as xorriso writes them\)/);
    expect(stdout).toMatch(/USB stick: +yes/);
  });

  it('says unknown for an SD-card image, never that a computer will not start from it', async () => {
    const { code, stdout } = await isotope(['boot', bootFixturePath('sdCard')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/USB stick: +unknown/);
    // Its partitions, and the Pi generation its firmware serves with the file it lacks.
    expect(stdout).toMatch(/Partitions:\n {2}1\. MBR 0x0c \(W95 FAT32 \(LBA\)\), fat32, \d+ bytes at byte 4194304\n {2}2\. MBR 0x83 \(Linux\), ext4/);
    expect(stdout).toMatch(/Raspberry Pi: boot files on partition 1\n {2}Pi 4, Pi 400, CM4 \(bcm2711\): kernel8\.img, start4\.elf; missing fixup4\.dat/);
    expect(stdout).not.toMatch(/will not (boot|start)/);
  });

  it('prints the U-Boot loader and carries the boards in --json', async () => {
    const path = uBootCardPath('allwinner');
    expect((await isotope(['boot', path])).stdout).toMatch(/U-Boot: allwinner \(sun50i-a64-pine64-plus\) at byte 8192, U-Boot SPL 2023\.01/);
    const json = JSON.parse((await isotope(['boot', '--json', path])).stdout) as BootReport;
    expect(json.verdict.boards.uBoot).toMatchObject({ family: 'allwinner', offsetBytes: 8192, board: 'sun50i-a64-pine64-plus' });
    expect(json.partitions).toMatchObject([{ number: 1, scheme: 'mbr', typeCode: '0x0e', bootable: true, filesystem: 'fat16' }]);
  });

  it('exits 1 for a missing file and for a file that is no image', async () => {
    expect((await isotope(['boot', join(scratch, 'absent.iso')])).code).toBe(1);
    const text = join(scratch, 'notes.txt');
    writeFileSync(text, 'just some text\n'.repeat(5000));
    const result = await isotope(['boot', text]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not a disk or ISO image/);
  });

  it('exits 2 without an image argument', async () => {
    expect((await isotope(['boot'])).code).toBe(2);
  });

  it('exits 3 for a corrupt image, naming sector and offset', async () => {
    const image = new Uint8Array(readFileSync(bootFixturePath('hybridGpt')));
    image[33 * 2048 + 28] = (image[33 * 2048 + 28] as number) ^ 1; // the validation entry checksum
    const damaged = join(scratch, 'damaged.iso');
    writeFileSync(damaged, image);
    const { code, stderr } = await isotope(['boot', damaged]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/sector 33, offset 67612/);
  });
});
