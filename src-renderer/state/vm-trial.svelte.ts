// "Try in a VM" (issue 18): what this engine's host can do (`vm:host`), the choices (firmware, USB
// stick or CD, QEMU's window or the in-app view), one trial at a time as a `try` job, and, in the
// in-app view, the live screen (a PNG data URL: the CSP allows `img-src data:`) and the serial
// console, of which only the last 256 KiB is kept however long the guest writes.
import type { AppError } from '../../shared/errors.ts';
import { readableSerialText, type VmFirmware, type VmHostReport, type VmMedium, type VmScreen, type VmTryRequest } from '../../shared/vm.ts';
import { FollowedJob } from './followed-job.svelte.ts';

export type VmView = VmTryRequest['view'];

/** The serial console text kept on screen: the newest 256 Ki characters. */
export const maxSerialChars = 256 * 1024;

/** Appends `addition` to `kept`, dropping the oldest characters beyond `maxSerialChars`. */
export function appendBounded(kept: string, addition: string, maxChars: number = maxSerialChars): string {
  const joined = kept + addition;
  return joined.length > maxChars ? joined.slice(joined.length - maxChars) : joined;
}

export class VmTrial extends FollowedJob<'try'> {
  host = $state.raw<VmHostReport | null>(null);
  hostError = $state.raw<AppError | null>(null);
  firmware = $state<VmFirmware>('bios');
  medium = $state<VmMedium>('usb');
  view = $state<VmView>('in-app');
  stopping = $state(false);
  /** The latest screenshot as a data: URL; null before the first one. */
  screenshotUrl = $state<string | null>(null);
  /** The serial console as received (escape sequences and all), the newest `maxSerialChars`. */
  serialText = $state('');
  /** The serial console as the panel shows it; cleaned as a whole, so an escape split across two batches goes too. */
  readonly serialDisplay = $derived(readableSerialText(this.serialText));
  /** The firmware's own log as received (SeaBIOS's "Booting from ...", "No bootable device."), the newest `maxSerialChars`. */
  firmwareText = $state('');
  readonly firmwareDisplay = $derived(readableSerialText(this.firmwareText));
  elapsedMs = $state(0);

  /** True when UEFI can be chosen (OVMF found). */
  get uefiAvailable(): boolean {
    return this.host?.uefiAvailable ?? false;
  }

  /** The views this host offers: QEMU's window only where there is a display. */
  get views(): readonly VmView[] {
    return this.host?.display ? ['window', 'in-app'] : ['in-app'];
  }

  /** Asks the engine what it can do, and picks defaults that work here: UEFI when OVMF exists, the window when there is a display. */
  async loadHost(): Promise<void> {
    const result = await this.client.call('vm:host', {});
    if (!result.ok) {
      this.hostError = result.error;
      return;
    }
    this.host = result.value;
    this.hostError = null;
    this.firmware = result.value.uefiAvailable ? 'uefi' : 'bios';
    this.view = result.value.display ? 'window' : 'in-app';
  }

  /** Runs a trial of `source` with the current choices until it ends; its result or error stays for the panel. */
  async start(source: VmTryRequest['source']): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    this.screenshotUrl = null;
    this.serialText = '';
    this.firmwareText = '';
    this.elapsedMs = 0;
    const request: VmTryRequest = { source, firmware: this.firmware, medium: this.medium, view: this.view };
    const unsubscribe = this.client.subscribe('vm:screen', (screen) => this.#show(screen));
    try {
      await this.run('try', () => this.client.call('vm:try', request));
    } finally {
      unsubscribe();
      this.stopping = false;
    }
  }

  #show(screen: VmScreen): void {
    if (screen.jobId !== this.jobId) return;
    this.elapsedMs = screen.elapsedMs;
    if (screen.serialText !== '') this.serialText = appendBounded(this.serialText, screen.serialText);
    if (screen.firmwareText) this.firmwareText = appendBounded(this.firmwareText, screen.firmwareText);
    if (screen.screenshotPngBase64 !== null) this.screenshotUrl = `data:image/png;base64,${screen.screenshotPngBase64}`;
  }

  /** Stop: the engine quits QEMU (then kills it); the trial ends as `stopped`. */
  async stop(): Promise<void> {
    if (!this.running || this.jobId === null) return;
    this.stopping = true;
    await this.cancel();
  }
}
