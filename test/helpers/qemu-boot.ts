// Boots a disk image, a loop device or a CD image with the product's own runner, tryInVm
// (src-main/vm/try-in-vm.ts, what `isotope try --headless` and the app's trial run), and decides from
// the evidence: the firmware's hand-off to the medium, the loader's banner on the serial console, or
// the firmware's own "nothing to boot" words. This file adds only the watching: the run is stopped
// as soon as the banner or those words appear, or at the budget (one boot takes about 5 s here).
// Always TCG (allowKvm false: every host alike) and a 256 MiB guest, enough for a loader and less for
// TCG to set up than a host-sized one. Where each firmware says what it did, and in which words:
// test/helpers/firmware-words.ts (SeaBIOS in the firmware log, OVMF on the serial console).
// One QEMU at a time across the test run's processes (a lock folder in the run's TMPDIR): two TCG
// guests on two shared cores would slow every other test and each other.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readableSerialText } from '../../shared/vm.ts';
import { ovmfWords, seaBiosWords } from './firmware-words.ts';
import { ovmfCandidates, qemuCandidatePaths } from '../../src-main/vm/qemu-host.ts';
import { tryInVm } from '../../src-main/vm/try-in-vm.ts';

export type BootFirmware = 'uefi' | 'bios';
/** `usb-stick`: a USB mass-storage disk (what a written stick is); `cdrom`: an optical disc (El Torito). */
export type BootMedium = 'usb-stick' | 'cdrom';

export interface BootRequest {
  /** An image file or a block device (a loop device needs root). */
  readonly diskPath: string;
  readonly medium: BootMedium;
  readonly firmware: BootFirmware;
  /** The text the loader prints once it runs (test/fixtures/qemu-boot-images.ts: ISOTOPE-BOOT-OK-<name>). */
  readonly banner: string;
  /** Wall-clock budget for the whole boot; 60 s unless given. */
  readonly budgetMs?: number;
}

export interface BootOutcome {
  readonly bannerSeen: boolean;
  /** The firmware said it started the medium asked for (its hand-off line, see handOffWords). */
  readonly handedOff: boolean;
  /** How the run ended: stopped once the banner or the firmware's "nothing to boot" (noBootWords) was seen, the guest powered off (the loader halts), or the budget ran out. */
  readonly ended: 'banner' | 'nothing-to-boot' | 'exited' | 'budget';
  readonly elapsedMs: number;
  /** The serial console's text with terminal escapes removed (for failure messages). */
  readonly consoleText: string;
  /** SeaBIOS's debug console; empty under OVMF (Debian's release build writes nothing there). */
  readonly firmwareLog: string;
}

/** Guest memory for every harness boot. */
const guestMiB = 256;
/** How often the serial console and firmware log are read while the guest runs. */
const watchIntervalMs = 100;

/** The firmware's words for "I am starting this medium", per firmware and medium. */
const handOffWords: Readonly<Record<BootFirmware, Readonly<Record<BootMedium, RegExp>>>> = { bios: seaBiosWords.handOff, uefi: ovmfWords.handOff };

/** The firmware's words for "nothing here boots": SeaBIOS's last word after every device failed, OVMF's failure to load the medium's boot option. */
const noBootWords: Readonly<Record<BootFirmware, Readonly<Record<BootMedium, RegExp>>>> = {
  bios: { 'usb-stick': seaBiosWords.nothingToBoot, cdrom: seaBiosWords.nothingToBoot },
  uefi: ovmfWords.loadFailed,
};

/** True when QEMU and OVMF are installed where the product's runner looks for them. */
export function qemuAvailable(): boolean {
  const qemu = (qemuCandidatePaths[process.platform] ?? []).some((path) => existsSync(path));
  return qemu && ovmfCandidates.some((files) => existsSync(files.codePath) && existsSync(files.varsTemplatePath));
}

/** A file's text so far, escapes removed; empty while QEMU has not created it. */
const textOf = (path: string): string => (existsSync(path) ? readableSerialText(readFileSync(path, 'latin1')) : '');

/** True when the process holding the lock is gone (it crashed or was killed without releasing it). */
function lockIsStale(lockDir: string): boolean {
  try {
    process.kill(Number(readFileSync(join(lockDir, 'pid'), 'utf8')), 0);
    return false;
  } catch (error) {
    // ENOENT: the holder has made the folder but not yet written its pid: not stale. ESRCH: no such process.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Runs `work` holding the machine-wide (per test run) QEMU lock: mkdir is atomic, so one holder at a time. */
export async function withQemuLock<T>(work: () => Promise<T>): Promise<T> {
  const lockDir = join(tmpdir(), 'isotope-qemu.lock');
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockIsStale(lockDir)) rmSync(lockDir, { recursive: true, force: true });
      else await sleep(200);
    }
  }
  try {
    writeFileSync(join(lockDir, 'pid'), String(process.pid));
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Boots `request.diskPath` once (waiting for any other boot of this test run to end first) and reports what the firmware and the loader said. */
export function bootAndWatch(request: BootRequest): Promise<BootOutcome> {
  return withQemuLock(() => bootOnce(request));
}

/** One headless tryInVm run, stopped (its Stop signal) as soon as the banner or the firmware's "nothing to boot" is seen. */
async function bootOnce(request: BootRequest): Promise<BootOutcome> {
  const budgetMs = request.budgetMs ?? 60_000;
  const scratch = mkdtempSync(join(tmpdir(), 'isotope-qemu-'));
  const serialPath = join(scratch, 'serial.txt');
  const firmwareLogPath = join(scratch, 'firmware.log');
  const noBoot = noBootWords[request.firmware][request.medium];
  const evidence = (): string => `${textOf(serialPath)}\n${textOf(firmwareLogPath)}`;
  const stop = new AbortController();
  let seen: 'banner' | 'nothing-to-boot' | null = null;
  const watcher = setInterval(() => {
    if (seen !== null) return; // stopping already
    const text = evidence();
    seen = text.includes(request.banner) ? 'banner' : noBoot.test(text) ? 'nothing-to-boot' : null;
    if (seen !== null) stop.abort();
  }, watchIntervalMs);
  const startedMs = performance.now();
  try {
    const outcome = await tryInVm(
      {
        imagePath: request.diskPath,
        firmware: request.firmware,
        medium: request.medium === 'cdrom' ? 'cd' : 'usb',
        headless: true,
        seconds: budgetMs / 1000,
        serialPath,
        firmwareLogPath,
        screenshotPath: null,
        allowKvm: false,
        memoryMiB: guestMiB,
      },
      { signal: stop.signal },
    );
    const consoleText = textOf(serialPath);
    const firmwareLog = textOf(firmwareLogPath);
    const ended = outcome.endedBy === 'stopped' ? (seen ?? 'budget') : outcome.endedBy === 'guest-stopped' ? 'exited' : 'budget';
    return {
      bannerSeen: consoleText.includes(request.banner),
      handedOff: handOffWords[request.firmware][request.medium].test(`${consoleText}\n${firmwareLog}`),
      ended,
      elapsedMs: performance.now() - startedMs,
      consoleText,
      firmwareLog,
    };
  } finally {
    clearInterval(watcher);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A boot proven: the firmware handed off to the medium asked for, and the loader's banner came up. */
export const booted = (outcome: BootOutcome): boolean => outcome.handedOff && outcome.bannerSeen;

/** The console's and the firmware log's last lines, so a failed boot shows where the firmware stopped. */
export function bootEvidence(outcome: BootOutcome): string {
  const tail = (text: string): string => text.split('\n').slice(-15).join('\n');
  const how = `ended by ${outcome.ended} after ${Math.round(outcome.elapsedMs)} ms`;
  return `${how}; serial console:\n${tail(outcome.consoleText)}\nfirmware log:\n${tail(outcome.firmwareLog)}`;
}
