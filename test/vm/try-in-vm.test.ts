// `isotope try` (issue 18): the image boots in QEMU (TCG, so every host behaves alike) as a CD or a
// USB stick, under SeaBIOS and OVMF: the firmware says it hands off to the medium (SeaBIOS in the
// firmware log, OVMF's boot manager on the serial console) and the loader's banner reaches the
// serial console file; a blank stick is the negative control, decided from the firmware's own
// "nothing to boot" words (and the VM runs until it is stopped, taking a screenshot). Each run
// proves the image's SHA-256 is unchanged: booting never writes.
// The discs are GRUB banner loaders (test/fixtures/qemu-boot-images.ts); the BIOS stick is SYSLINUX.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../fixtures/fixture-cache.ts';
import { banners, nonhybridGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { ovmfWords, seaBiosWords } from '../helpers/firmware-words.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { qemuAvailable, withQemuLock } from '../helpers/qemu-boot.ts';
import { tryInVm, type TryRequest } from '../../src-main/vm/try-in-vm.ts';

const MiB = 1024 * 1024;
const bootTimeoutMs = 120_000;
/** The boot harness's guest size (test/helpers/qemu-boot.ts): enough for a loader, and less memory for TCG to set up than the host-sized 2 GiB. */
const guestMiB = 256;
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(!qemuAvailable())('isotope try boots an image in QEMU without writing to it', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotope-try-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Boots `imagePath` headless for up to `seconds`, returning the serial console's text; asserts the
   * image is unchanged. With `until`, the run is stopped as soon as the console shows it (through the
   * live view the app uses), so a passing boot costs seconds however slow TCG is on a loaded machine.
   */
  async function bootSerial(
    imagePath: string,
    request: Pick<TryRequest, 'firmware' | 'medium'>,
    seconds: number,
    until: RegExp | null = null,
  ): Promise<{ serial: string; firmwareLog: string; endedBy: string }> {
    const serialPath = join(dir, `serial-${request.firmware}-${request.medium}.txt`);
    const firmwareLogPath = join(dir, `firmware-${request.firmware}-${request.medium}.log`);
    const before = sha256(imagePath);
    const stop = new AbortController();
    let seen = '';
    const controls =
      until === null
        ? {}
        : {
            signal: stop.signal,
            tickMs: 250,
            onScreen: ({ serialText }: { serialText: string }) => {
              seen += serialText;
              if (until.test(seen)) stop.abort();
            },
          };
    const outcome = await withQemuLock(() =>
      tryInVm(
        { imagePath, ...request, headless: true, seconds, serialPath, firmwareLogPath, screenshotPath: null, allowKvm: false, memoryMiB: guestMiB },
        controls,
      ),
    );
    expect(outcome.accelerator).toBe('tcg');
    expect(sha256(imagePath)).toBe(before);
    return { serial: readFileSync(serialPath, 'latin1'), firmwareLog: readFileSync(firmwareLogPath, 'latin1'), endedBy: outcome.endedBy };
  }

  it(
    'SeaBIOS boots the disc as a CD: it says it hands off to the CD, and its El Torito BIOS loader prints its banner on the serial console',
    async () => {
      const { serial, firmwareLog } = await bootSerial(nonhybridGrubIsoPath(), { firmware: 'bios', medium: 'cd' }, 60);
      expect(firmwareLog).toMatch(seaBiosWords.handOff.cdrom); // SeaBIOS's hand-off (--firmware-log)
      expect(serial).toContain(banners.nonhybridBios);
    },
    bootTimeoutMs,
  );

  it(
    'SeaBIOS boots a USB stick (a FAT16 file system with SYSLINUX in its boot sector): SYSLINUX prints its banner and loads the kernel its config names',
    async () => {
      // A superfloppy (no partition table): SeaBIOS runs sector 0, SYSLINUX's boot sector, as it does a stick's MBR.
      const stick = join(dir, 'syslinux-stick.img');
      const config = join(dir, 'syslinux.cfg');
      writeFileSync(config, 'SERIAL 0 115200\nPROMPT 0\nDEFAULT usb\nLABEL usb\n  KERNEL isotope-usb-bios.krn\n');
      runTool('mkfs.fat', ['-F', '16', '-C', stick, '16384']);
      runTool('mcopy', ['-i', stick, config, '::/syslinux.cfg']);
      runTool('syslinux', ['--install', stick]);
      // Stopped once the kernel's name shows (the run's 60 s only bound a machine too loaded to get there).
      const { serial, firmwareLog } = await bootSerial(stick, { firmware: 'bios', medium: 'usb' }, 60, /Loading isotope-usb-bios\.krn/);
      expect(firmwareLog).toMatch(seaBiosWords.handOff['usb-stick']);
      expect(serial).toMatch(/SYSLINUX \d+\.\d+/);
      expect(serial).toContain('Loading isotope-usb-bios.krn'); // our config was read from the stick
    },
    bootTimeoutMs,
  );

  it(
    'OVMF boots the disc as a CD through its El Torito EFI image (its boot manager says it starts the DVD-ROM), and the halting loader ends the run before the time asked',
    async () => {
      const { serial, endedBy } = await bootSerial(nonhybridGrubIsoPath(), { firmware: 'uefi', medium: 'cd' }, 60);
      expect(serial).toMatch(ovmfWords.handOff.cdrom); // OVMF's hand-off, on the serial console
      expect(serial).toContain(banners.nonhybridElToritoEfi);
      expect(endedBy).toBe('guest-stopped');
    },
    bootTimeoutMs,
  );

  it(
    'OVMF boots the disc written raw to a USB stick (EDK2 reads El Torito from any disk)',
    async () => {
      const stick = join(dir, 'stick.img');
      copyFileSync(nonhybridGrubIsoPath(), stick);
      truncateSync(stick, 64 * MiB);
      const { serial, firmwareLog } = await bootSerial(stick, { firmware: 'uefi', medium: 'usb' }, 90, new RegExp(banners.nonhybridElToritoEfi));
      expect(firmwareLog).toBe(''); // Debian's OVMF, a release build, logs nothing on the debug console
      expect(serial).toMatch(ovmfWords.handOff['usb-stick']);
      expect(serial).toContain(banners.nonhybridElToritoEfi);
    },
    bootTimeoutMs,
  );

  it(
    'a blank stick boots nothing: SeaBIOS says "No bootable device." in the --firmware-log file, no banner, the VM runs the seconds asked, exits 0 and leaves a PNG screenshot of the firmware screen',
    async () => {
      const blank = join(dir, 'blank.img');
      writeFileSync(blank, '');
      truncateSync(blank, 8 * MiB);
      const before = sha256(blank);
      const serialPath = join(dir, 'blank-serial.txt');
      const screenshotPath = join(dir, 'blank.png');
      const firmwareLogPath = join(dir, 'blank-firmware.log');
      const args = [
        'try',
        blank,
        '--firmware',
        'bios',
        '--as',
        'usb',
        '--headless',
        '--seconds',
        '4',
        '--no-kvm',
        '--serial',
        serialPath,
        '--screenshot',
        screenshotPath,
        '--firmware-log',
        firmwareLogPath,
      ];
      const run = await withQemuLock(() => isotope(args));
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/TCG.*ran \d+\.\d s and was stopped/);
      expect(readFileSync(serialPath, 'latin1')).not.toContain('ISOTOPE-BOOT-OK');
      // The firmware's own account: the stick has no boot sector, no other device boots, and it gives up.
      const firmwareLog = readFileSync(firmwareLogPath, 'latin1');
      expect(firmwareLog).toMatch(seaBiosWords.stickNotBootable);
      expect(firmwareLog).toMatch(seaBiosWords.nothingToBoot);
      const png = readFileSync(screenshotPath);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.toString('latin1', 12, 16)).toBe('IHDR');
      // SeaBIOS's text screen: VGA mode 3, 720×400 pixels in QEMU's std VGA.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([720, 400]);
      expect(sha256(blank)).toBe(before);
    },
    bootTimeoutMs,
  );

  it(
    'OVMF finds nothing to boot on a blank stick: the firmware says so on the serial console and no loader banner appears',
    async () => {
      const blank = join(dir, 'blank-uefi.img');
      writeFileSync(blank, '');
      truncateSync(blank, 8 * MiB);
      // Stopped once OVMF has said so (its boot manager then shows its menu and waits: nothing else would boot).
      const failed = ovmfWords.loadFailed['usb-stick'];
      const { serial, endedBy } = await bootSerial(blank, { firmware: 'uefi', medium: 'usb' }, 90, failed);
      expect(serial).toMatch(failed);
      expect(serial).not.toContain('ISOTOPE-BOOT-OK');
      expect(endedBy).toBe('stopped');
    },
    bootTimeoutMs,
  );

  it('a QEMU that cannot start fails with its own words and exit code, never as a run that booted nothing', async () => {
    const blank = join(dir, 'blank-start.img');
    writeFileSync(blank, Buffer.alloc(MiB));
    const serialPath = join(dir, 'no-such-folder', 'serial.txt');
    const run = await isotope(['try', blank, '--firmware', 'bios', '--headless', '--seconds', '30', '--no-kvm', '--serial', serialPath]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/QEMU \(.*qemu-system-x86_64\) exited with code 1 after \d+ ms: .*no-such-folder/);
  });

  it('a missing image is a not-found error before QEMU starts', async () => {
    const run = await isotope(['try', join(dir, 'missing.img'), '--headless', '--seconds', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/missing\.img/);
    expect(existsSync(join(dir, 'missing.img'))).toBe(false);
  });
});
