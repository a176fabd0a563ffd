// "Try it in a VM" (issue 18): boot an image, or a drive Isotope wrote, in QEMU before a stick is
// written, read-only with a snapshot overlay. The engine finds QEMU and the firmware at fixed paths.

export const vmFirmwares = ['bios', 'uefi'] as const;
export type VmFirmware = (typeof vmFirmwares)[number];
export const vmMedia = ['usb', 'cd'] as const;
export type VmMedium = (typeof vmMedia)[number];

/** What this machine can do: the Boot tab shows it before offering a trial. */
export interface VmHostReport {
  /** The QEMU binary found at a known path; null when none is installed. */
  readonly qemuPath: string | null;
  /** True when OVMF (UEFI firmware) was found; BIOS (SeaBIOS) ships with QEMU. */
  readonly uefiAvailable: boolean;
  /** True when /dev/kvm (or the platform's accelerator) is usable; TCG otherwise. */
  readonly kvm: boolean;
  /** The guest memory a trial gets, sized to the host. */
  readonly memoryMiB: number;
  /** True when QEMU can open its own window here; false in a headless engine (the web shell without a display). */
  readonly display: boolean;
  /** When QEMU is missing: how to install it on this OS ("sudo apt install qemu-system-x86 ovmf"); null otherwise. */
  readonly installHint: string | null;
}

export interface VmTryRequest {
  /** An image file (absolute path), or a drive by its id from `drives:list` (read-only, through elevation where needed). */
  readonly source: { readonly kind: 'image'; readonly path: string } | { readonly kind: 'drive'; readonly driveId: string };
  readonly firmware: VmFirmware;
  readonly medium: VmMedium;
  /** 'window': QEMU's own window (needs a display); 'in-app': headless, the serial console and screenshots stream as `vm:screen`. */
  readonly view: 'window' | 'in-app';
  /** Stop after this long; absent runs until Stop (job:cancel), the window closes or the guest powers off. At most an hour. */
  readonly seconds?: number;
}

/** One batch of what a headless trial shows, at most ~2 per second. */
export interface VmScreen {
  readonly jobId: string;
  /** Serial console text since the previous batch (at most 64 KiB per batch). */
  readonly serialText: string;
  /** The firmware's own log since the previous batch (QEMU's debug console, port 0x402: SeaBIOS writes there, Debian's OVMF does not), at most 64 KiB per batch. */
  readonly firmwareText?: string;
  /** The latest screenshot as a PNG, base64; null when it has not changed or none was taken. */
  readonly screenshotPngBase64: string | null;
  readonly elapsedMs: number;
}

// ESC (0x1b) is what this matches: the control character is the point. First a control sequence
// (ECMA-48 5.4: ESC [, parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, a final byte
// 0x40-0x7E), then any other escape sequence (ECMA-35 13.2: ESC, intermediate bytes 0x20-0x2F, a
// final byte 0x30-0x7E), which covers ESC ( B (character set), ESC 7 / ESC 8 (cursor) and ESC M.
// eslint-disable-next-line no-control-regex
const escapeSequence = /\u001b(?:\[[0-?]*[ -/]*[@-~]|[ -/]*[0-~])/g;

/**
 * A serial console's text (`VmScreen.serialText`, `firmwareText`) as printed: the escape sequences
 * GRUB and OVMF position the cursor and set colours with, and carriage returns, removed, so the words
 * read (and match) as the guest wrote them. Pure and linear in the text's length.
 */
export function readableSerialText(raw: string): string {
  return raw.replace(escapeSequence, '').replaceAll('\r', '');
}

/** How a trial ended (the result of a job of kind `try`). */
export interface VmTryResult {
  readonly accelerator: 'kvm' | 'tcg';
  readonly firmware: VmFirmware;
  readonly medium: VmMedium;
  readonly memoryMiB: number;
  /** 'stopped': the user pressed Stop; 'time-up': ran the seconds asked; 'guest-stopped': the guest powered off or the window was closed. */
  readonly endedBy: 'stopped' | 'time-up' | 'guest-stopped';
  readonly ranMs: number;
}
