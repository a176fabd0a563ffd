// Boots a disk image, a loop device or a CD image in QEMU (TCG: there is no KVM here) and watches the
// serial console for a banner: the proof that a stick or disc starts its loader. UEFI is Debian's
// OVMF (a fresh copy of its variable store per boot, so no boot entry of one run leaks into the
// next), BIOS is SeaBIOS. The stick is a USB mass-storage device on an EHCI controller, as a real
// stick is; the disc an AHCI CD-ROM. Both are attached read-only: booting proves, never changes.
// QEMU is killed as soon as the banner is seen, or at the budget (one boot takes about 5 s here).
// One QEMU at a time across the test run's processes (a lock folder in the run's TMPDIR): two TCG
// guests on two shared cores would slow every other test and each other.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const qemuBinary = 'qemu-system-x86_64';
/** Debian 12's ovmf package: the 4 MiB flash layout (OVMF_CODE.fd is the older 2 MiB one). */
export const ovmfCode = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const ovmfVarsTemplate = '/usr/share/OVMF/OVMF_VARS_4M.fd';

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
  /** How QEMU ended: killed once the banner was seen, exited by itself (the loader halts), or killed at the budget. */
  readonly ended: 'banner' | 'exited' | 'budget';
  readonly elapsedMs: number;
  /** The serial console's text with terminal escapes removed (for failure messages). */
  readonly consoleText: string;
}

/** True when QEMU and the firmware this harness uses are installed. */
export function qemuAvailable(): boolean {
  return existsSync(ovmfCode) && existsSync(ovmfVarsTemplate) && process.env.PATH!.split(':').some((dir) => existsSync(join(dir, qemuBinary)));
}

function mediumArgs(request: BootRequest): string[] {
  const drive = `file=${request.diskPath},format=raw,if=none,readonly=on`;
  if (request.medium === 'cdrom') return ['-drive', `${drive},id=disc,media=cdrom`, '-device', 'ide-cd,drive=disc,bus=ide.0'];
  return ['-drive', `${drive},id=stick`, '-device', 'usb-ehci,id=ehci', '-device', 'usb-storage,bus=ehci.0,drive=stick'];
}

function firmwareArgs(firmware: BootFirmware, varsPath: string): string[] {
  if (firmware === 'bios') return []; // QEMU's default firmware is SeaBIOS
  return ['-drive', `if=pflash,format=raw,readonly=on,file=${ovmfCode}`, '-drive', `if=pflash,format=raw,file=${varsPath}`];
}

/** The QEMU command line: q35, 256 MiB, no default devices, the serial console on stdout, no monitor. */
export function qemuArgs(request: BootRequest, varsPath: string): string[] {
  return [
    '-machine',
    'q35',
    '-m',
    '256',
    '-nodefaults',
    '-display',
    'none',
    '-monitor',
    'none',
    '-serial',
    'stdio',
    '-no-reboot',
    ...firmwareArgs(request.firmware, varsPath),
    ...mediumArgs(request),
  ];
}

/** Removes ANSI/VT escape sequences (OVMF and GRUB draw with them), so text split by them still matches. */
function stripEscapes(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b(\[[0-9;?=]*[A-Za-z]|[()][0-9A-Za-z]|.)/g, '');
}

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

/** Boots `request.diskPath` once (waiting for any other boot of this test run to end first) and reports whether the banner appeared on the serial console. */
export function bootAndWatch(request: BootRequest): Promise<BootOutcome> {
  return withQemuLock(() => bootOnce(request));
}

/** Boots `request.diskPath` once and reports whether the banner appeared on the serial console. */
async function bootOnce(request: BootRequest): Promise<BootOutcome> {
  const budgetMs = request.budgetMs ?? 60_000;
  const scratch = mkdtempSync(join(tmpdir(), 'isotope-qemu-'));
  const varsPath = join(scratch, 'OVMF_VARS.fd');
  if (request.firmware === 'uefi') copyFileSync(ovmfVarsTemplate, varsPath);
  const startedMs = performance.now();
  const child = spawn(qemuBinary, qemuArgs(request, varsPath), { stdio: ['ignore', 'pipe', 'pipe'] });
  let raw = '';
  let stderr = '';
  // 'close', not 'exit': it comes after the console's last bytes are read.
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  try {
    const ended = await new Promise<BootOutcome['ended']>((resolve, reject) => {
      const timer = setTimeout(() => resolve('budget'), budgetMs);
      child.stdout.on('data', (chunk: Buffer) => {
        raw += chunk.toString('latin1');
        if (stripEscapes(raw).includes(request.banner)) {
          clearTimeout(timer);
          resolve('banner');
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      void closed.then(() => {
        clearTimeout(timer);
        resolve('exited');
      });
    });
    // A QEMU that could not start (a busy device, a missing file) must fail the test, never read as "did not boot".
    if (ended === 'exited' && raw === '' && (await closed) !== 0)
      throw new Error(`${qemuBinary} exited with ${String(await closed)} before any console output: ${stderr.trim()}`);
    const consoleText = stripEscapes(raw);
    return { bannerSeen: consoleText.includes(request.banner), ended, elapsedMs: performance.now() - startedMs, consoleText };
  } finally {
    if (child.pid !== undefined) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await closed;
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}
