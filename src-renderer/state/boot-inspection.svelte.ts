// The boot report of the open image (`image:boot`), loaded as soon as an image opens: the Boot tab
// shows it and the write screen warns when the image will not boot from USB.
import type { BootReport } from '../../shared/boot.ts';
import type { EngineClient } from '../api.ts';
import { ImageAnswer } from './image-answer.svelte.ts';

export class BootInspection extends ImageAnswer<BootReport> {
  constructor(client: EngineClient) {
    super((path) => client.call('image:boot', { path }));
  }

  get report(): BootReport | null {
    return this.value;
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
}
