// The QEMU command line of `isotope try`: a q35 PC booting the image as a USB stick (mass storage on
// an EHCI controller, as a written stick is) or as a CD (an AHCI CD-ROM, El Torito), with SeaBIOS
// or OVMF. Nothing the guest does reaches the image or drive: `-snapshot` sends every write to a
// temporary overlay that QEMU deletes at exit. `format=raw` always: QEMU must never probe a hostile
// image as qcow2 and follow a backing-file name to some other file on this host.
import type { OvmfFiles } from './qemu-host.ts';
import type { VmFirmware, VmMedium } from '../../shared/vm.ts';

export type { VmFirmware, VmMedium } from '../../shared/vm.ts';

export interface QemuLaunch {
  /** The image file or block device to boot (an already decoded file for a compressed image). */
  readonly diskPath: string;
  /**
   * A drive is not opened by QEMU: the engine opens it O_RDONLY and QEMU inherits that descriptor as
   * this fd number (`-add-fd`, docs/system/invocation "-add-fd"), so QEMU never holds the device for
   * writing, whatever its own options say. Absent for image files, which QEMU opens by path.
   */
  readonly inheritedDiskFd?: number;
  readonly firmware: VmFirmware;
  readonly medium: VmMedium;
  readonly memoryMiB: number;
  readonly useKvm: boolean;
  /** Required for UEFI: the firmware and this run's own copy of its variable store. */
  readonly ovmf?: { readonly files: OvmfFiles; readonly varsPath: string };
  /** No window: the screen is read only through QMP's screendump. */
  readonly headless: boolean;
  /** The guest's first serial port goes to this file; none when null. */
  readonly serialPath: string | null;
  /**
   * The firmware's own log goes to this file: SeaBIOS writes its messages ("Boot failed: not a
   * bootable disk", "No bootable device.") to QEMU's debug console, I/O port 0x402 (SeaBIOS's
   * CONFIG_DEBUG_IO, on in QEMU's build). Debian's OVMF is a RELEASE build that logs nothing there:
   * its boot manager's words ("BdsDxe: failed to load Boot0001 ...") reach the serial console instead.
   */
  readonly firmwareLogPath: string | null;
  /** The QMP socket (a Unix socket path) the run uses to take the screenshot and stop the VM; none when null. */
  readonly qmpSocketPath: string | null;
}

/** QEMU's option syntax separates key=value pairs with commas; a comma inside a value is written twice. */
export function escapeOptionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/** The fd set a drive's inherited descriptor joins; `/dev/fdset/N` names it as a file. */
const diskFdSet = 1;

function mediumArgs(launch: QemuLaunch): string[] {
  const inherited = launch.inheritedDiskFd;
  // A drive is a block device: QEMU's `file` driver takes regular files only, `host_device` the rest.
  // It is read-only to the guest too: the descriptor QEMU holds could not write it anyway.
  const drive =
    inherited === undefined
      ? `file=${escapeOptionValue(launch.diskPath)},format=raw,if=none`
      : `file.driver=host_device,file.filename=/dev/fdset/${diskFdSet},format=raw,if=none,readonly=on`;
  const fdArgs = inherited === undefined ? [] : ['-add-fd', `fd=${inherited},set=${diskFdSet},opaque=${escapeOptionValue(launch.diskPath)}`];
  if (launch.medium === 'cd')
    return [
      ...fdArgs,
      '-drive',
      `${drive},id=disc,media=cdrom${inherited === undefined ? ',readonly=on' : ''}`,
      '-device',
      'ide-cd,drive=disc,bus=ide.0,bootindex=0',
    ];
  return [...fdArgs, '-drive', `${drive},id=stick`, '-device', 'usb-ehci,id=ehci', '-device', 'usb-storage,bus=ehci.0,drive=stick,bootindex=0'];
}

function firmwareArgs(launch: QemuLaunch): string[] {
  if (launch.firmware === 'bios') return []; // QEMU's default firmware is SeaBIOS
  if (!launch.ovmf) throw new Error('a UEFI launch without OVMF files');
  const { files, varsPath } = launch.ovmf;
  return [
    '-drive',
    `if=pflash,format=raw,readonly=on,file=${escapeOptionValue(files.codePath)}`,
    '-drive',
    `if=pflash,format=raw,file=${escapeOptionValue(varsPath)}`,
  ];
}

/** The whole argument list for qemu-system-x86_64. */
export function qemuArgs(launch: QemuLaunch): string[] {
  return [
    '-machine',
    'q35',
    '-accel',
    launch.useKvm ? 'kvm' : 'tcg',
    '-m',
    String(launch.memoryMiB),
    '-snapshot',
    '-no-user-config',
    '-nic',
    'none',
    '-vga',
    'std',
    ...(launch.headless ? ['-display', 'none'] : []),
    ...(launch.serialPath === null ? [] : ['-chardev', `file,id=serial0,path=${escapeOptionValue(launch.serialPath)}`, '-serial', 'chardev:serial0']),
    ...(launch.firmwareLogPath === null
      ? []
      : ['-chardev', `file,id=firmwarelog,path=${escapeOptionValue(launch.firmwareLogPath)}`, '-device', 'isa-debugcon,iobase=0x402,chardev=firmwarelog']),
    ...(launch.qmpSocketPath === null ? [] : ['-qmp', `unix:${escapeOptionValue(launch.qmpSocketPath)},server=on,wait=off`]),
    ...firmwareArgs(launch),
    ...mediumArgs(launch),
  ];
}
