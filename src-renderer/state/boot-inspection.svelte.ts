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

  /**
   * Written raw to a USB stick: usb, it boots; depends, on the firmware (El Torito EFI only); unknown,
   * a disk image Isotope cannot judge; optical-only, from a DVD/CD only; none, not bootable at all.
   */
  get bootability(): 'usb' | 'depends' | 'unknown' | 'optical-only' | 'none' | null {
    const verdict = this.report?.verdict;
    if (!verdict) return null;
    if (verdict.usb === 'yes') return 'usb';
    if (verdict.usb === 'depends-on-firmware') return 'depends';
    if (verdict.usb === 'unknown') return 'unknown';
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
