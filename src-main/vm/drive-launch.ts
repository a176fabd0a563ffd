// A VM trial of a drive this user cannot open (issue 18, "reading it needs the same elevation path as
// verify"): the elevated helper opens the drive O_RDONLY and starts QEMU as the user, with that
// descriptor. What crosses the channel is this plain work, never a command line: the helper checks
// it and rebuilds QEMU's argv itself with the same `qemuArgs` the engine uses (driveLaunch below),
// so the only things it adds to what the user could run are one read-only descriptor, fd 3, of one
// whole drive of its own enumeration. Every file QEMU touches lies in the engine's scratch folder,
// and QEMU runs with the user's ids, so a path there reaches nothing the user could not reach.
import { join } from 'node:path';
import type { QemuLaunch, VmFirmware, VmMedium } from './qemu-args.ts';
import type { OvmfFiles } from './qemu-host.ts';

/** The descriptor number a drive's O_RDONLY handle has in QEMU (stdin, stdout, stderr come first). */
export const inheritedDiskFd = 3;

/** The files of one run in its scratch folder: the engine's live view reads them, QEMU writes them. */
export const scratchFiles = { ovmfVars: 'OVMF_VARS.fd', serial: 'serial.txt', firmwareLog: 'firmware.log', qmpSocket: 'qmp.sock' } as const;

/** What the engine asks the helper for: plain, bounded options (a `type`, so it passes as channel data). */
export type VmDriveWork = {
  readonly kind: 'vm-drive';
  /** The drive's path and "major:minor" from the engine's fresh enumeration. */
  readonly device: string;
  readonly deviceNumber: string;
  /** The engine's own 0700 folder for this run (the helper checks it is the invoking user's). */
  readonly scratchDir: string;
  readonly firmware: VmFirmware;
  readonly medium: VmMedium;
  readonly memoryMiB: number;
  /** The engine, as the user, found /dev/kvm usable; the helper's own rights would say nothing about QEMU's. */
  readonly useKvm: boolean;
  /** Send the serial console to the scratch folder's serial file (the live view's text). */
  readonly serial: boolean;
  /** Send the firmware's debug console (port 0x402, qemu-args.ts) to the scratch folder's firmware log. */
  readonly firmwareLog?: boolean;
};

const maxPathChars = 1024;
const maxGuestMemoryMiB = 65_536;

const hasControlCharacter = (text: string): boolean => [...text].some((character) => character < ' ' || character === '\x7f');

/** The work as the helper accepts it; null for anything else (names the channel's data, never trusts it). */
export function parseVmDriveWork(value: unknown): VmDriveWork | null {
  if (typeof value !== 'object' || value === null) return null;
  const { kind, device, deviceNumber, scratchDir, firmware, medium, memoryMiB, useKvm, serial, firmwareLog = false } = value as Record<string, unknown>;
  if (kind !== 'vm-drive' || typeof device !== 'string' || typeof deviceNumber !== 'string' || typeof scratchDir !== 'string') return null;
  if (!device.startsWith('/dev/') || device.length > maxPathChars || !/^\d{1,10}:\d{1,10}$/.test(deviceNumber)) return null;
  // An absolute path of printable characters; QEMU's option syntax escapes commas (qemu-args.ts).
  if (!scratchDir.startsWith('/') || scratchDir.length > maxPathChars || hasControlCharacter(scratchDir)) return null;
  if ((firmware !== 'bios' && firmware !== 'uefi') || (medium !== 'usb' && medium !== 'cd')) return null;
  if (typeof memoryMiB !== 'number' || !Number.isSafeInteger(memoryMiB) || memoryMiB < 16 || memoryMiB > maxGuestMemoryMiB) return null;
  if (typeof useKvm !== 'boolean' || typeof serial !== 'boolean' || typeof firmwareLog !== 'boolean') return null;
  return { kind, device, deviceNumber, scratchDir, firmware, medium, memoryMiB, useKvm, serial, firmwareLog };
}

/** QEMU's launch for a drive trial, headless, the drive as `inheritedDiskFd`: the same on both sides of the channel. */
export function driveLaunch(work: VmDriveWork, ovmfFiles: OvmfFiles | null): QemuLaunch {
  return {
    diskPath: work.device,
    inheritedDiskFd,
    firmware: work.firmware,
    medium: work.medium,
    memoryMiB: work.memoryMiB,
    useKvm: work.useKvm,
    ...(ovmfFiles ? { ovmf: { files: ovmfFiles, varsPath: join(work.scratchDir, scratchFiles.ovmfVars) } } : {}),
    headless: true,
    serialPath: work.serial ? join(work.scratchDir, scratchFiles.serial) : null,
    firmwareLogPath: work.firmwareLog === true ? join(work.scratchDir, scratchFiles.firmwareLog) : null,
    qmpSocketPath: join(work.scratchDir, scratchFiles.qmpSocket),
  };
}

/** A running QEMU, started here or by the elevated helper. */
export interface QemuProcess {
  readonly pid: number | undefined;
  /** QEMU's exit code (null: it could not start, or a signal ended it) and the last words of its stderr. */
  readonly exited: Promise<{ readonly code: number | null; readonly stderr: string }>;
  /** SIGKILL (through the helper for its QEMU); harmless once it has exited. */
  kill(): void;
}

/** Starts QEMU for a drive through the elevated helper (elevation/vm-elevation.ts); refusals reject. */
export type ElevatedQemuStarter = (work: VmDriveWork) => Promise<QemuProcess>;
