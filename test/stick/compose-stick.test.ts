// Copy-files and formatted sticks composed from real images and written to a sparse file standing in
// for a drive, then read by the reference tools: sfdisk/sgdisk see the new table, fsck.fat and
// fsck.exfat find nothing wrong, blkid names the label and type, mtools lists exactly the image's
// files (with install.wim split into a .swm set wimlib-imagex verifies) with equal SHA-256s, and our
// FAT reader's verifyCopiedFiles agrees and catches a changed byte. Refusals come before any byte.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWimPartBytes, noWindowsOptions, type CopyModeOptions } from '../../shared/stick.ts';
import { openFatTree } from '../../src-main/fat/fat-tree.ts';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { composeCopyModeStick, verifyCopiedFiles, type ComposedStick } from '../../src-main/stick/compose-stick.ts';
import { bootFixturePath, realEfiLoader } from '../fixtures/boot-images.ts';
import { multiExtentIsoPath, zisofsIsoPath } from '../fixtures/iso-images.ts';
import { nonhybridGrubIsoPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';
import { ensureFixture, runTool, type FixtureRecipe } from '../fixtures/fixture-cache.ts';
import { hashTree, writeStickAndPartition } from './stick-file.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-compose-stick-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mebibyte = 1024 * 1024;
const deviceSizeBytes = 64 * mebibyte;
const mbrCopy: CopyModeOptions = { table: 'mbr', wimPartBytes: defaultWimPartBytes, windows: noWindowsOptions };

/** An ISO holding a 100 MiB file (sparse on disk): more than a 64 MiB stick holds. */
const largerThanStick: FixtureRecipe = {
  name: 'larger-than-stick.iso',
  recipe: 'xorriso -as mkisofs -R -V LARGER of a sparse 100 MiB big.bin and README.TXT; fallocate --dig-holes v1',
  build(outputPath, workDir) {
    const tree = join(workDir, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'README.TXT'), 'too big for the stick\n');
    writeFileSync(join(tree, 'big.bin'), '');
    truncateSync(join(tree, 'big.bin'), 100 * mebibyte);
    runTool('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-V', 'LARGER', '-o', outputPath, tree]);
    runTool('fallocate', ['--dig-holes', outputPath]);
  },
};
const largerThanStickIsoPath = (): string => ensureFixture(largerThanStick);

const opened: ByteSource[] = [];
afterAll(async () => {
  for (const source of opened) await source.close();
});

/** Composes a stick of the image (left open: the stick reads its files from it lazily). */
async function compose(imagePath: string, copy: CopyModeOptions, size = deviceSizeBytes): Promise<ComposedStick> {
  const image = await openFileSource(imagePath);
  opened.push(image);
  return composeCopyModeStick(image, { deviceSizeBytes: size, copy });
}

function extractImage(imagePath: string, name: string): Map<string, string> {
  const folder = join(scratch, `${name}-image`);
  runTool('7zz', ['x', '-y', `-o${folder}`, imagePath, '-x![BOOT]']);
  return hashTree(folder);
}

function extractStick(partitionPath: string, name: string): Map<string, string> {
  const folder = join(scratch, `${name}-stick`);
  mkdirSync(folder);
  runTool('mcopy', ['-s', '-n', '-m', '-i', partitionPath, '::/*', folder]);
  return hashTree(folder);
}

describe('composeCopyModeStick on a non-hybrid El Torito ISO (MBR, FAT32)', () => {
  it('writes a stick every tool reads as one active FAT32 partition holding exactly the image files', async () => {
    const stick = await compose(nonhybridGrubIsoPath(), mbrCopy);
    const { disk, partition } = await writeStickAndPartition(stick, scratch, deviceSizeBytes, 'nonhybrid');
    const table = JSON.parse(runTool('sfdisk', ['--json', disk])) as {
      partitiontable: { label: string; partitions: { start: number; type: string; bootable?: boolean }[] };
    };
    expect(table.partitiontable).toMatchObject({ label: 'dos', partitions: [{ start: 2048, type: 'c', bootable: true }] });
    expect(runTool('fsck.fat', ['-n', partition])).not.toMatch(/differ|lost|invalid|free cluster/i);
    expect(runTool('blkid', ['-p', '-o', 'export', partition])).toMatch(/LABEL=ISOTOPE_NON[\s\S]*TYPE=vfat/);
    const expected = extractImage(nonhybridGrubIsoPath(), 'nonhybrid');
    expect(expected.get('/EFI/BOOT/BOOTX64.EFI')).toBeDefined();
    expect(extractStick(partition, 'nonhybrid')).toEqual(expected);
    expect([...stick.files.keys()].sort()).toEqual([...expected.keys()].sort());
    // 7-Zip reads the FAT volume the same way.
    expect(runTool('7zz', ['l', partition])).toMatch(/docs\/nested folder\/A file with a long name\.txt/);
  });

  it('wipes the old last MiB (where an old GPT backup would lie) and leaves no byte of it', async () => {
    const stick = await compose(nonhybridGrubIsoPath(), mbrCopy);
    const { disk } = await writeStickAndPartition(stick, scratch, deviceSizeBytes, 'wiped');
    const bytes = readFileSync(disk);
    expect(bytes.subarray(deviceSizeBytes - mebibyte).every((byte) => byte === 0)).toBe(true);
    // The first MiB: the MBR, then zeros up to the partition.
    expect(bytes.subarray(512, mebibyte).every((byte) => byte === 0)).toBe(true);
  });

  it('verifyCopiedFiles finds every file equal, then names the file and offset of one changed byte', async () => {
    const stick = await compose(nonhybridGrubIsoPath(), mbrCopy);
    const { disk } = await writeStickAndPartition(stick, scratch, deviceSizeBytes, 'verify');
    const target = await openFileSource(disk);
    expect(await verifyCopiedFiles(target, stick)).toBeNull();
    const tree = await openFatTree(target, { offsetBytes: stick.partitionOffsetBytes });
    const random = await tree.lookup('/docs/random.bin');
    await target.close();
    const changedAt = random!.extents[0]!.offsetBytes + 1000;
    const bytes = readFileSync(disk);
    bytes[changedAt] = bytes[changedAt]! ^ 0xff;
    writeFileSync(disk, bytes);
    const changed = await openFileSource(disk);
    expect(await verifyCopiedFiles(changed, stick)).toEqual({ path: '/docs/random.bin', offsetBytes: 1000, reason: 'byte 1000 differs' });
    await changed.close();
  });
});

describe('composeCopyModeStick on an image whose UEFI loader sits only in its El Torito EFI image', () => {
  it('copies that loader to EFI/BOOT on the stick, byte for byte, beside the image files', async () => {
    const stick = await compose(bootFixturePath('plainGenisoimage'), mbrCopy);
    const { partition } = await writeStickAndPartition(stick, scratch, deviceSizeBytes, 'el-torito-loader');
    runTool('fsck.fat', ['-n', partition]);
    const onStick = extractStick(partition, 'el-torito-loader');
    const loaderSha256 = createHash('sha256').update(readFileSync(realEfiLoader)).digest('hex');
    expect(onStick.get('/EFI/BOOT/BOOTX64.EFI')).toBe(loaderSha256);
    const { ['/EFI/BOOT/BOOTX64.EFI']: _loader, ...imageFiles } = Object.fromEntries(onStick);
    expect(imageFiles).toEqual(Object.fromEntries(extractImage(bootFixturePath('plainGenisoimage'), 'el-torito-loader')));
  });
});

describe('composeCopyModeStick on a Windows-like UDF installer (GPT, split WIM, Windows options)', () => {
  const copy: CopyModeOptions = {
    table: 'gpt',
    wimPartBytes: mebibyte,
    windows: { skipHardwareChecks: true, localAccountName: 'Ada', regional: { locale: 'en-GB', windowsTimeZone: 'GMT Standard Time' } },
  };

  it('holds the UDF files, install.wim as a .swm set wimlib-imagex verifies, and autounattend.xml, on a GPT ESP', async () => {
    const stick = await compose(windowsLikeUdfIsoPath(), copy);
    expect(stick.label).toBe('CCCOMA_X64FRE');
    const { disk, partition } = await writeStickAndPartition(stick, scratch, deviceSizeBytes, 'windows');
    expect(runTool('sgdisk', ['-v', disk])).toMatch(/No problems found/);
    expect(runTool('sgdisk', ['-i', '1', disk])).toMatch(/C12A7328-F81F-11D2-BA4B-00A0C93EC93B/);
    expect(runTool('fsck.fat', ['-n', partition])).not.toMatch(/differ|lost|invalid|free cluster/i);
    expect(runTool('blkid', ['-p', '-o', 'export', partition])).toMatch(/LABEL=CCCOMA_X64F[\s\S]*TYPE=vfat/);
    const onStick = extractStick(partition, 'windows');
    const expected = extractImage(windowsLikeUdfIsoPath(), 'windows');
    const parts = [...onStick.keys()].filter((path) => path.startsWith('/sources/')).sort();
    expect(parts.length).toBeGreaterThan(2);
    expect(parts).toEqual(['/sources/install.swm', ...parts.slice(1).map((_, index) => `/sources/install${index + 2}.swm`)].sort());
    const { ['/sources/install.wim']: _wim, ...others } = Object.fromEntries(expected);
    const { ['/autounattend.xml']: answer, ...copied } = Object.fromEntries([...onStick].filter(([path]) => !parts.includes(path)));
    expect(copied).toEqual(others);
    expect(answer).toBeDefined();
    const stickFolder = join(scratch, 'windows-stick');
    const splitSet = [join(stickFolder, 'sources/install.swm'), `--ref=${join(stickFolder, 'sources/install*.swm')}`];
    expect(runTool('wimlib-imagex', ['verify', ...splitSet])).toMatch(/was successfully verified/);
    // Applying the split set gives the same files as applying the original install.wim.
    runTool('wimlib-imagex', ['apply', splitSet[0]!, '1', join(scratch, 'applied-split'), splitSet[1]!]);
    runTool('wimlib-imagex', ['apply', join(scratch, 'windows-image/sources/install.wim'), '1', join(scratch, 'applied-original')]);
    expect(hashTree(join(scratch, 'applied-split'))).toEqual(hashTree(join(scratch, 'applied-original')));
    const target = await openFileSource(disk);
    expect(await verifyCopiedFiles(target, stick)).toBeNull();
    await target.close();
  });
});

describe('refusals before anything is written', () => {
  it('refuses a file of 4 GiB or more that is not install.wim, naming it', async () => {
    await expect(compose(multiExtentIsoPath(), mbrCopy, 8 * 1024 * mebibyte)).rejects.toMatchObject({
      code: 'file-too-large',
      message: expect.stringContaining('/huge.bin holds 4613734400 bytes'),
    });
  });

  it('refuses a drive too small for the partition table and file system, giving its size', async () => {
    await expect(compose(nonhybridGrubIsoPath(), mbrCopy, 2 * mebibyte)).rejects.toMatchObject({
      code: 'target-too-small',
      message: expect.stringContaining('2097152'),
    });
  });

  it('refuses files that need more room than the drive has, giving both sizes', async () => {
    await expect(compose(largerThanStickIsoPath(), mbrCopy)).rejects.toMatchObject({
      code: 'target-too-small',
      message: expect.stringMatching(/the files and folders need \d+ bytes .* the FAT32 volume of \d+ bytes holds \d+/),
    });
  });

  it('refuses a zisofs-compressed file, naming it', async () => {
    await expect(compose(zisofsIsoPath(), mbrCopy)).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringMatching(/^\/\S+ is zisofs-compressed/),
    });
  });
});
