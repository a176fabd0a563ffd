// The words QEMU's two firmwares say what they did with, as the tests read them (escape sequences
// and carriage returns removed: shared/vm.ts readableSerialText). One home for the boot harness
// (test/helpers/qemu-boot.ts), the VM tests and the e2e trial; it imports nothing at run time, so a
// Playwright spec can use it without loading the engine. Where each firmware writes:
//   SeaBIOS  its debug console, I/O port 0x402, kept by the runner as the firmware log;
//   OVMF     Debian's RELEASE build logs nothing on 0x402; its boot manager (BdsDxe) writes to the
//            serial console, naming the boot option by QEMU's device description.
import type { BootMedium } from './qemu-boot.ts';

/** SeaBIOS's words (the firmware log). */
export const seaBiosWords = {
  /**
   * The hand-off: it chose the medium and jumped to the code it loaded at 0000:7c00, the stick's
   * boot sector or the disc's El Torito BIOS image.
   */
  handOff: {
    'usb-stick': /Booting from Hard Disk\.\.\.\nBooting from 0000:7c00/,
    cdrom: /Booting from DVD\/CD\.\.\.\nBooting from 0000:7c00/,
  } satisfies Readonly<Record<BootMedium, RegExp>>,
  /** It jumped to a boot sector (of whatever medium): absent, no code of the medium ran. */
  jumpedToBootSector: 'Booting from 0000:7c00',
  /** The stick's first sector has no boot signature (0x55 0xAA at offset 510), so it went on to the next device. */
  stickNotBootable: /Booting from Hard Disk\.\.\.\nBoot failed: not a bootable disk\n/,
  /** Its last word once every device failed. */
  nothingToBoot: /^No bootable device\.$/m,
} as const;

/** OVMF's words (the serial console). */
export const ovmfWords = {
  /** The hand-off: its boot manager starts the medium's boot option (Boot0001 and so on). */
  handOff: {
    'usb-stick': /BdsDxe: starting Boot\d+ "UEFI QEMU QEMU USB HARDDRIVE[^"]*"/,
    cdrom: /BdsDxe: starting Boot\d+ "UEFI QEMU DVD-ROM[^"]*"/,
  } satisfies Readonly<Record<BootMedium, RegExp>>,
  /** No loader found on the medium (no \EFI\BOOT\BOOTX64.EFI, no El Torito EFI image); it falls back to its shell next. */
  loadFailed: {
    'usb-stick': /BdsDxe: failed to load Boot\d+ "UEFI QEMU QEMU USB HARDDRIVE[^"]*" from [^\n]*: Not Found/,
    cdrom: /BdsDxe: failed to load Boot\d+ "UEFI QEMU DVD-ROM[^"]*" from [^\n]*: Not Found/,
  } satisfies Readonly<Record<BootMedium, RegExp>>,
} as const;
