// Issue 18's proof on a drive: a stick written by the engine's raw flash (a loop device here) is
// tried through the service as the app does, `vm:try` with the drive's id from `drives:list`, and
// boots: SYSLINUX's banner on the serial console, then the kernel its config names. The negative
// control is a NON-hybrid El Torito disc written raw: SeaBIOS finds no boot sector on the stick and
// says so in its own log (`isotope try DEVICE --firmware-log`), and its BIOS loader never prints,
// while OVMF, which reads El Torito from any disk, starts its EFI loader from the very same drive (so
// the BIOS "no" is the firmware's, not an unreadable stick). Every trial leaves the drive's bytes as
// they were. A user who cannot read the drive and asks for a window gets `needs-elevation` before
// QEMU starts (headless, the elevated helper runs it: try-drive-elevated.integration.test.ts).
// Root only (loop devices); TCG (ISOTOPE_VM_ACCEL).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { JobFinished } from '../../shared/job.ts';
import type { VmFirmware, VmScreen, VmTryResult } from '../../shared/vm.ts';
import { createService, type Service } from '../../src-main/service/service.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { banners, nonhybridGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { LoopDevices, isRoot, rootSkipReason, sha256OfPrefix } from '../flash/loop-devices.ts';
import { assertBuilt, isotopeBin } from '../helpers/built-cli.ts';
import { ovmfWords, seaBiosWords } from '../helpers/firmware-words.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { qemuAvailable, withQemuLock } from '../helpers/qemu-boot.ts';

const MiB = 1024 * 1024;
const stickBytes = 64 * MiB;
const bootTimeoutMs = 120_000;

describe.skipIf(!isRoot || !qemuAvailable())(`vm:try on a drive the raw flash wrote (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let service: Service;

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-try-drive-');
    vi.stubEnv('ISOTOPE_HOME', join(dir, 'home'));
    vi.stubEnv('ISOTOPE_VM_ACCEL', 'tcg');
    service = createService({ shell: 'web', version: 'test', log: () => undefined });
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A loop device over a sparse stick-sized file, written raw by the engine's flash with `image`. */
  async function rawWrittenStick(name: string, image: string): Promise<string> {
    const backing = join(dir, `${name}.img`);
    writeFileSync(backing, Buffer.alloc(MiB, 0xa5));
    truncateSync(backing, stickBytes);
    const device = loops.attach(backing);
    const run = await isotope(['flash', image, device, '--yes', '--unsafe', '--mode', 'raw']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    return device;
  }

  async function driveIdOf(device: string): Promise<string> {
    const listed = await service.call('drives:list', { includeAll: true });
    if (!listed.ok) throw new Error(listed.error.message);
    const status = listed.value.drives.find((candidate) => candidate.drive.device === device);
    if (!status) throw new Error(`drives:list does not list ${device}`);
    return status.drive.id;
  }

  /**
   * `vm:try` of the drive in-app as a USB stick until `until` appears on the serial console (then
   * Stop) or `seconds` pass; the serial text and how the job ended.
   */
  async function tryDrive(
    device: string,
    firmware: VmFirmware,
    seconds: number,
    until: string | null,
  ): Promise<{ serial: string; firmwareLog: string; result: VmTryResult }> {
    const screens: VmScreen[] = [];
    let finished: JobFinished | undefined;
    const unsubscribe = [service.on('vm:screen', (screen) => screens.push(screen)), service.on('job:finished', (end) => (finished = end))];
    onTestFinished(() => unsubscribe.forEach((stop) => stop()));
    const driveId = await driveIdOf(device);
    return withQemuLock(async () => {
      const started = await service.call('vm:try', { source: { kind: 'drive', driveId }, firmware, medium: 'usb', view: 'in-app', seconds });
      if (!started.ok) throw new Error(started.error.message);
      const { jobId } = started.value;
      const serial = (): string => screens.map((screen) => screen.serialText).join('');
      while (finished?.jobId !== jobId) {
        if (until !== null && serial().includes(until)) await service.call('job:cancel', { jobId });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (finished.kind !== 'try' || !finished.result.ok) throw new Error(`the trial failed: ${JSON.stringify(finished.result)}`);
      const firmwareLog = screens.map((screen) => screen.firmwareText ?? '').join('');
      return { serial: serial(), firmwareLog, result: finished.result.value };
    });
  }

  it(
    'a SYSLINUX stick written raw by the engine boots from its loop device under SeaBIOS: the firmware hands off to its boot sector, then the banner and the kernel its config names; the drive is unchanged',
    async () => {
      const image = join(dir, 'syslinux-stick.img');
      const config = join(dir, 'syslinux.cfg');
      writeFileSync(config, 'SERIAL 0 115200\nPROMPT 0\nDEFAULT usb\nLABEL usb\n  KERNEL isotope-drive.krn\n');
      runTool('mkfs.fat', ['-F', '16', '-C', image, '16384']);
      runTool('mcopy', ['-i', image, config, '::/syslinux.cfg']);
      runTool('syslinux', ['--install', image]);
      const device = await rawWrittenStick('syslinux', image);
      const before = sha256OfPrefix(device, stickBytes);
      const { serial, firmwareLog, result } = await tryDrive(device, 'bios', 60, 'Loading isotope-drive.krn');
      expect(firmwareLog).toMatch(seaBiosWords.handOff['usb-stick']); // SeaBIOS's hand-off to the stick's boot sector
      expect(serial).toMatch(/SYSLINUX \d+\.\d+/);
      expect(serial).toContain('Loading isotope-drive.krn');
      expect(result).toMatchObject({ endedBy: 'stopped', accelerator: 'tcg', firmware: 'bios', medium: 'usb' });
      expect(sha256OfPrefix(device, stickBytes)).toBe(before);
    },
    bootTimeoutMs,
  );

  it(
    'a non-hybrid disc written raw does not boot under SeaBIOS (its firmware log: no boot sector on the stick, then "No bootable device."), while OVMF starts its El Torito EFI loader from the same drive',
    async () => {
      const device = await rawWrittenStick('nonhybrid', nonhybridGrubIsoPath());
      const before = sha256OfPrefix(device, stickBytes);
      // isotope try DEVICE --firmware-log: SeaBIOS's own account of the boot, from its debug console.
      const firmwareLogPath = join(dir, 'nonhybrid-bios-firmware.log');
      const serialPath = join(dir, 'nonhybrid-bios-serial.txt');
      const args = ['try', device, '--firmware', 'bios', '--headless', '--seconds', '8', '--serial', serialPath, '--firmware-log', firmwareLogPath];
      const bios = await withQemuLock(() => isotope(args));
      expect(bios.code, bios.stderr).toBe(0);
      const firmwareLog = readFileSync(firmwareLogPath, 'latin1');
      expect(firmwareLog).toMatch(seaBiosWords.stickNotBootable);
      expect(firmwareLog).toMatch(seaBiosWords.nothingToBoot);
      expect(firmwareLog).not.toContain(seaBiosWords.jumpedToBootSector); // SeaBIOS never jumped to a boot sector
      expect(readFileSync(serialPath, 'latin1')).not.toContain('ISOTOPE-BOOT-OK');
      const uefi = await tryDrive(device, 'uefi', 60, banners.nonhybridElToritoEfi);
      expect(uefi.serial).toMatch(ovmfWords.handOff['usb-stick']); // OVMF's hand-off to the stick
      expect(uefi.serial).toContain(banners.nonhybridElToritoEfi);
      expect(sha256OfPrefix(device, stickBytes)).toBe(before);
    },
    bootTimeoutMs,
  );

  // Headless, such a user's trial goes through the elevated helper (try-drive-elevated.integration.test.ts);
  // the helper's QEMU has no window to open, so a trial with one is refused, saying what would work.
  it('a user who cannot read the drive, asking for a window, gets needs-elevation naming it and saying --headless or sudo, and no QEMU starts', async () => {
    assertBuilt();
    const image = join(dir, 'blank-for-nobody.img');
    writeFileSync(image, Buffer.alloc(MiB));
    const device = loops.attach(image);
    chmodSync(device, 0o660); // root:disk, as udev leaves a stick: nobody is not in the disk group
    const run = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, isotopeBin, 'try', device, '--seconds', '30'], {
      encoding: 'utf8',
      // A display for the window asked (none is opened: the refusal comes first).
      env: { ...process.env, HOME: dir, ISOTOPE_HOME: join(dir, 'nobody-home'), DISPLAY: ':99' },
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain(`${device} cannot be opened for reading by this user (EACCES)`);
    expect(run.stderr).toMatch(/runs such a drive only headless .*: try it headless \(.*isotope try --headless --seconds N\), or run isotope with sudo/);
    expect(spawnSync('ps', ['-u', 'nobody', '-o', 'comm='], { encoding: 'utf8' }).stdout).not.toMatch(/qemu/);
  });
});
