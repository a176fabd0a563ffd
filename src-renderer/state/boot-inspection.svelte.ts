// The boot report of the open image (`image:boot`), loaded as soon as an image opens: the Boot tab
// shows it and the write screen warns when the image will not boot from USB.
import type { BootReport } from '../../shared/boot.ts';
import type { AppError } from '../../shared/errors.ts';
import type { EngineClient } from '../api.ts';

export class BootInspection {
  report = $state.raw<BootReport | null>(null);
  error = $state.raw<AppError | null>(null);
  loading = $state(false);
  #imagePath: string | null = null;
  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  /** True once known: BIOS or any UEFI architecture boots from a USB stick written raw. */
  get bootsFromUsb(): boolean | null {
    const verdict = this.report?.verdict;
    if (!verdict) return null;
    return verdict.usbBios || verdict.usbUefi.x64 || verdict.usbUefi.ia32 || verdict.usbUefi.aa64;
  }

  /** usb: boots from a stick; optical-only: from a DVD/CD only (a raw write will not boot); none: not bootable. */
  get bootability(): 'usb' | 'optical-only' | 'none' | null {
    const verdict = this.report?.verdict;
    if (!verdict) return null;
    if (this.bootsFromUsb) return 'usb';
    const optical = verdict.opticalBios || verdict.opticalUefi.x64 || verdict.opticalUefi.ia32 || verdict.opticalUefi.aa64;
    return optical ? 'optical-only' : 'none';
  }

  async load(imagePath: string): Promise<void> {
    this.#imagePath = imagePath;
    this.report = null;
    this.error = null;
    this.loading = true;
    try {
      const result = await this.#client.call('image:boot', { path: imagePath });
      if (this.#imagePath !== imagePath) return;
      if (result.ok) this.report = result.value;
      else this.error = result.error;
    } finally {
      if (this.#imagePath === imagePath) this.loading = false;
    }
  }
}
