// What `isotope try` needs from the host: QEMU and OVMF at fixed, known paths (never a PATH lookup:
// the engine may run as root, and a writable folder early in PATH must not choose the binary it
// runs), whether KVM can be used, and how much memory the guest may take.
import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { CodedError } from '../jobs/errors.ts';

/** Where the distributions and installers put qemu-system-x86_64, per platform. */
export const qemuCandidatePaths: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  linux: ['/usr/bin/qemu-system-x86_64', '/usr/local/bin/qemu-system-x86_64'],
  darwin: ['/opt/homebrew/bin/qemu-system-x86_64', '/usr/local/bin/qemu-system-x86_64'],
  win32: ['C:\\Program Files\\qemu\\qemu-system-x86_64.exe'],
};

/** The install command per platform, named in the missing-QEMU error. */
const qemuInstallWords: Readonly<Partial<Record<NodeJS.Platform, string>>> = {
  linux: 'Debian/Ubuntu: sudo apt install qemu-system-x86; Fedora: sudo dnf install qemu-system-x86',
  darwin: 'brew install qemu',
  win32: 'winget install SoftwareFreedomConservancy.QEMU',
};

/** An OVMF build: its read-only code and the variable store copied per run (the guest writes it). */
export interface OvmfFiles {
  readonly codePath: string;
  readonly varsTemplatePath: string;
}

/** OVMF as the distributions package it: Debian's 4 MiB and 2 MiB layouts, Fedora, Arch, QEMU's own. */
export const ovmfCandidates: readonly OvmfFiles[] = [
  { codePath: '/usr/share/OVMF/OVMF_CODE_4M.fd', varsTemplatePath: '/usr/share/OVMF/OVMF_VARS_4M.fd' },
  { codePath: '/usr/share/OVMF/OVMF_CODE.fd', varsTemplatePath: '/usr/share/OVMF/OVMF_VARS.fd' },
  { codePath: '/usr/share/edk2/ovmf/OVMF_CODE.fd', varsTemplatePath: '/usr/share/edk2/ovmf/OVMF_VARS.fd' },
  { codePath: '/usr/share/edk2/x64/OVMF_CODE.4m.fd', varsTemplatePath: '/usr/share/edk2/x64/OVMF_VARS.4m.fd' },
  { codePath: '/usr/share/qemu/edk2-x86_64-code.fd', varsTemplatePath: '/usr/share/qemu/edk2-i386-vars.fd' },
  { codePath: '/opt/homebrew/share/qemu/edk2-x86_64-code.fd', varsTemplatePath: '/opt/homebrew/share/qemu/edk2-i386-vars.fd' },
  { codePath: '/usr/local/share/qemu/edk2-x86_64-code.fd', varsTemplatePath: '/usr/local/share/qemu/edk2-i386-vars.fd' },
];

const isReadable = (path: string): Promise<boolean> =>
  access(path, constants.R_OK).then(
    () => true,
    () => false,
  );

/** The first of `candidates` that exists, or an `unsupported` error naming the paths tried and how to install QEMU. */
export async function findQemu(platform: NodeJS.Platform = process.platform, candidates = qemuCandidatePaths[platform] ?? []): Promise<string> {
  for (const path of candidates) if (await isReadable(path)) return path;
  const install = qemuInstallWords[platform] ?? 'install QEMU from https://www.qemu.org/download/';
  throw new CodedError('unsupported', `QEMU (qemu-system-x86_64) was not found at ${candidates.join(', ') || 'any known path'}; install it: ${install}`, {
    platform,
  });
}

/** The first OVMF build present, or an `unsupported` error naming the package to install. */
export async function findOvmf(candidates: readonly OvmfFiles[] = ovmfCandidates): Promise<OvmfFiles> {
  for (const files of candidates) if ((await isReadable(files.codePath)) && (await isReadable(files.varsTemplatePath))) return files;
  throw new CodedError(
    'unsupported',
    `UEFI firmware (OVMF) was not found at ${candidates.map((files) => files.codePath).join(', ')}; install it: Debian/Ubuntu: sudo apt install ovmf; Fedora: sudo dnf install edk2-ovmf; macOS: brew install qemu (ships edk2)`,
  );
}

/** True when /dev/kvm opens for reading and writing: what QEMU needs to use KVM (Linux only). */
export async function kvmUsable(devicePath = '/dev/kvm'): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    await (await open(devicePath, 'r+')).close();
    return true;
  } catch {
    return false;
  }
}

const MiB = 1024 * 1024;
const maxGuestMemoryMiB = 2048;
const minGuestMemoryMiB = 512;

/** The guest's memory: a quarter of the host's, at most 2 GiB, at least 512 MiB (an installer's menu needs that much). */
export function guestMemoryMiB(hostMemoryBytes: number = totalmem()): number {
  return Math.max(minGuestMemoryMiB, Math.min(maxGuestMemoryMiB, Math.floor(hostMemoryBytes / 4 / MiB)));
}
