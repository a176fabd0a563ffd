// Issue 14's boot proof: images that many PCs do not start from a raw-written USB stick (a non-hybrid
// El Torito disc, a Windows installer) are written in copy-files mode by the built `isotope flash` to
// a loop device, which then boots in QEMU + OVMF as a USB stick, through the product's runner (tryInVm,
// test/helpers/qemu-boot.ts): OVMF says it starts the USB disk, and the banner of the loader copied
// into EFI/BOOT appears on the serial console (the El Torito image's loader prints another). The
// Windows-like installer is flashed in the default mode (auto must choose copy) with 1 MiB WIM parts,
// so the split path runs: its .swm set, read off the stick by mtools (not by our reader), passes
// `wimlib-imagex verify`, and applying it gives the very files applying the original install.wim
// gives. Root only (loop devices).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banners, nonhybridGrubIsoPath, windowsLikeInstallWimPath, windowsLikeUdfIsoPath } from '../fixtures/qemu-boot-images.ts';
import { LoopDevices, isRoot, rootSkipReason } from '../flash/loop-devices.ts';
import { assertBuilt, runIsotope } from '../helpers/built-cli.ts';
import { bootAndWatch, bootEvidence, booted } from '../helpers/qemu-boot.ts';
import type { StickBootPrediction, WriteModeChoice } from '../../shared/stick.ts';

const MiB = 1024 * 1024;
/** Large enough for FAT32 with the cluster size mkfs.fat and Windows choose; sparse in /dev/shm. */
const stickBytes = 256 * MiB;
const bootTimeoutMs = 120_000;

interface SfdiskTable {
  readonly label: 'dos' | 'gpt';
  readonly sectorsize?: number;
  readonly partitions: readonly { readonly start: number }[];
}

/** The partition table the flash wrote, as sfdisk (util-linux) reads it. */
function partitionTable(device: string): SfdiskTable {
  return (JSON.parse(execFileSync('sfdisk', ['--json', device], { encoding: 'utf8' })) as { partitiontable: SfdiskTable }).partitiontable;
}

function firstPartitionOffsetBytes(device: string): number {
  const table = partitionTable(device);
  const first = table.partitions[0];
  if (!first) throw new Error(`sfdisk finds no partition on ${device}`);
  return first.start * (table.sectorsize ?? 512);
}

/** A tool's stdout for the test, its stderr (warnings) kept out of the run's output; a failure still throws with it. */
const quiet: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];

/** mtools on the partition at its offset (the kernel here mounts no FAT): `mtool -i DEVICE@@OFFSET ...`. */
function mtool(command: string, device: string, args: readonly string[]): string {
  const drive = `${device}@@${firstPartitionOffsetBytes(device)}`;
  return execFileSync(command, ['-i', drive, ...args], { encoding: 'utf8', stdio: quiet, env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
}

/** Every file below `root` with its SHA-256, as `sha256sum` prints them: the applied image, compared whole. */
function treeDigests(root: string): string {
  return execFileSync('sh', ['-c', 'cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum', 'sh', root], { encoding: 'utf8' });
}

describe.skipIf(!isRoot)(`copy-files sticks boot in QEMU + OVMF (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';

  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync('/dev/shm/isotope-copy-boot-');
    process.env.ISOTOPE_HOME = join(dir, 'home'); // the flash's hash cache: a temporary one
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh loop device over a sparse stick-sized file, its first MiB filled with junk a copy must not rely on. */
  function freshStick(name: string): string {
    const backing = join(dir, `${name}.img`);
    writeFileSync(backing, Buffer.alloc(MiB, 0xa5));
    truncateSync(backing, stickBytes);
    return loops.attach(backing);
  }

  /** `isotope flash IMAGE DEVICE --yes --unsafe --json ...`: exit 0, and the plan it printed (event write:planned). */
  function flash(image: string, device: string, args: readonly string[]): { mode: WriteModeChoice; bootPrediction: StickBootPrediction } {
    const run = runIsotope(['flash', image, device, '--yes', '--unsafe', '--json', ...args]);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const planned = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; mode: WriteModeChoice; bootPrediction: StickBootPrediction })
      .find((line) => line.event === 'write:planned');
    if (!planned) throw new Error(`isotope flash printed no write:planned event:\n${run.stdout}`);
    return planned;
  }

  it.each(['mbr', 'gpt'] as const)(
    'a non-hybrid El Torito disc written in copy-files mode (%s) boots from USB in OVMF through the copied EFI/BOOT/BOOTX64.EFI',
    async (table) => {
      const stick = freshStick(`nonhybrid-${table}`);
      expect(flash(nonhybridGrubIsoPath(), stick, ['--mode', 'copy', '--table', table]).mode).toEqual({ mode: 'copy', reason: 'chosen-by-user' });
      expect(partitionTable(stick).label).toBe(table === 'mbr' ? 'dos' : 'gpt');
      const outcome = await bootAndWatch({ diskPath: stick, medium: 'usb-stick', firmware: 'uefi', banner: banners.nonhybridTree });
      expect(booted(outcome), bootEvidence(outcome)).toBe(true);
    },
    bootTimeoutMs,
  );

  it(
    'a Windows-like UDF installer flashed in the default mode is copied with 1 MiB WIM parts and boots in OVMF as predicted, and its .swm set verifies and applies as the original',
    async () => {
      const stick = freshStick('windows');
      const plan = flash(windowsLikeUdfIsoPath(), stick, ['--wim-part-mib', '1']); // no --mode: auto
      expect(plan.mode).toEqual({ mode: 'copy', reason: 'windows-installer' });
      expect(plan.bootPrediction).toMatchObject({ mode: 'copy', usb: 'yes', uefi: { x64: true } });
      const outcome = await bootAndWatch({ diskPath: stick, medium: 'usb-stick', firmware: 'uefi', banner: banners.windowsTree });
      expect(booted(outcome), bootEvidence(outcome)).toBe(true);

      const parts = join(dir, 'swm');
      mkdirSync(parts);
      mtool('mcopy', stick, ['-n', '::/sources/install*.swm', parts]);
      const names = readdirSync(parts).sort();
      expect(names.length).toBeGreaterThan(1); // a 3 MiB WIM in 1 MiB parts
      expect(names).toEqual(['install.swm', ...names.slice(1).map((_, index) => `install${index + 2}.swm`)].sort());
      expect(mtool('mdir', stick, ['-b', '::/sources'])).not.toMatch(/install\.wim/i);

      const ref = `--ref=${join(parts, 'install*.swm')}`;
      execFileSync('wimlib-imagex', ['verify', join(parts, 'install.swm'), ref], { stdio: quiet }); // throws on a non-zero exit
      const fromParts = join(dir, 'applied-parts');
      const fromOriginal = join(dir, 'applied-original');
      execFileSync('wimlib-imagex', ['apply', join(parts, 'install.swm'), '1', fromParts, ref], { stdio: quiet });
      execFileSync('wimlib-imagex', ['apply', windowsLikeInstallWimPath(), '1', fromOriginal], { stdio: quiet });
      const digests = treeDigests(fromOriginal);
      expect(digests.split('\n').length).toBeGreaterThan(8);
      expect(treeDigests(fromParts)).toBe(digests);
    },
    bootTimeoutMs,
  );
});
