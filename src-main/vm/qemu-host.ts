// What `isotope try` needs from the host: QEMU and OVMF at fixed, known paths (never a PATH lookup:
// the engine may run as root, and a writable folder early in PATH must not choose the binary it
// runs), whether KVM can be used, and how much memory the guest may take.
import { constants } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import type { VmHostReport } from '../../shared/vm.ts';
import { CodedError } from '../jobs/errors.ts';

/** Where the distributions and installers put qemu-system-x86_64, per platform. */
export const qemuCandidatePaths: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  linux: ['/usr/bin/qemu-system-x86_64', '/usr/local/bin/qemu-system-x86_64'],
  darwin: ['/opt/homebrew/bin/qemu-system-x86_64', '/usr/local/bin/qemu-system-x86_64'],
  win32: ['C:\\Program Files\\qemu\\qemu-system-x86_64.exe'],
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

/** The first of `paths` this process can read, or null. */
async function firstReadable(paths: readonly string[]): Promise<string | null> {
  for (const path of paths) if (await isReadable(path)) return path;
  return null;
}

/** The first of `candidates` that exists, or an `unsupported` error naming the paths tried and how to install QEMU. */
export async function findQemu(platform: NodeJS.Platform = process.platform, candidates = qemuCandidatePaths[platform] ?? []): Promise<string> {
  const path = await firstReadable(candidates);
  if (path !== null) return path;
  const install = qemuInstallHint(platform, await readOsRelease(platform));
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

/**
 * True when /dev/kvm opens for reading and writing: what QEMU needs to use KVM (Linux only).
 * `ISOTOPE_VM_ACCEL=tcg` says no: some hosts offer a /dev/kvm whose guests never run (nested
 * virtualisation lacking MSRs QEMU sets, as in a Firecracker VM: SeaBIOS never draws), and opening
 * the device cannot tell.
 */
export async function kvmUsable(devicePath = '/dev/kvm', env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (process.platform !== 'linux' || env.ISOTOPE_VM_ACCEL === 'tcg') return false;
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

/** True when QEMU can open a window: always on macOS and Windows, with an X11 or Wayland display elsewhere. */
export function hasDisplay(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** The install command per Linux family, chosen by os-release's ID and ID_LIKE (os-release(5)). */
const linuxInstallHints: readonly { readonly ids: readonly string[]; readonly hint: string }[] = [
  { ids: ['debian', 'ubuntu'], hint: 'sudo apt install qemu-system-x86 ovmf' },
  { ids: ['fedora', 'rhel', 'centos'], hint: 'sudo dnf install qemu-system-x86 edk2-ovmf' },
  { ids: ['arch'], hint: 'sudo pacman -S qemu-desktop edk2-ovmf' },
];

/** os-release's ID and ID_LIKE words (lower case), from the first file of the two os-release(5) names. */
export function osReleaseIds(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split('\n').slice(0, 200)) {
    const match = /^(ID|ID_LIKE)=(.*)$/.exec(line.trim());
    if (match) ids.push(...match[2]!.replace(/["']/g, '').toLowerCase().split(/\s+/).filter(Boolean));
  }
  return ids;
}

/** /etc/os-release, or /usr/lib/os-release where the first is absent (os-release(5)); empty off Linux. */
async function readOsRelease(platform: NodeJS.Platform): Promise<string> {
  if (platform !== 'linux') return '';
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text !== null) return text.slice(0, 64 * 1024);
  }
  return '';
}

/** How to install QEMU (and OVMF) on this OS. */
export function qemuInstallHint(platform: NodeJS.Platform, osRelease: string): string {
  if (platform === 'darwin') return 'brew install qemu';
  if (platform === 'win32') return 'winget install SoftwareFreedomConservancy.QEMU (or the installer from https://www.qemu.org/download/#windows)';
  const ids = osReleaseIds(osRelease);
  const family = linuxInstallHints.find((candidate) => candidate.ids.some((id) => ids.includes(id)));
  return family?.hint ?? "install qemu-system-x86_64 and OVMF with your distribution's package manager (https://www.qemu.org/download/#linux)";
}

/** What `vm:host` answers: what a trial can use here, and how to install QEMU when it is missing. */
export async function vmHostReport(platform: NodeJS.Platform = process.platform, candidates = qemuCandidatePaths[platform] ?? []): Promise<VmHostReport> {
  const qemuPath = await firstReadable(candidates);
  return {
    qemuPath,
    uefiAvailable: await findOvmf().then(
      () => true,
      () => false,
    ),
    kvm: await kvmUsable(),
    memoryMiB: guestMemoryMiB(),
    display: hasDisplay(platform),
    installHint: qemuPath === null ? qemuInstallHint(platform, await readOsRelease(platform)) : null,
  };
}
