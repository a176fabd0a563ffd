// The active-partition BIOS verdict against SeaBIOS in QEMU: SYSLINUX's mbr.bin starts the active
// partition's boot sector (syslinux --install), whose SYSLINUX prints its copyright line on the
// serial console its syslinux.cfg names; with no partition marked active, mbr.bin stops ("Missing
// operating system"), as the verdict says.
import { describe, expect, it } from 'vitest';
import { bootAndWatch } from '../helpers/qemu-boot.ts';
import { syslinuxBanner, syslinuxCardPath } from './disk-boot-images.ts';

describe('SYSLINUX mbr.bin under SeaBIOS', () => {
  it('starts the active partition, and stops without one, as bios-active-partition and bios-no-active-partition say', { timeout: 120_000 }, async () => {
    const active = await bootAndWatch({
      diskPath: syslinuxCardPath({ active: true }),
      medium: 'usb-stick',
      firmware: 'bios',
      banner: syslinuxBanner,
      budgetMs: 40_000,
    });
    expect(active.bannerSeen, active.consoleText).toBe(true);
    const inactive = await bootAndWatch({
      diskPath: syslinuxCardPath({ active: false }),
      medium: 'usb-stick',
      firmware: 'bios',
      banner: syslinuxBanner,
      budgetMs: 15_000,
    });
    expect(inactive.bannerSeen).toBe(false);
  });

  it('starts the GPT partition marked LegacyBIOSBootable through gptmbr.bin, and stops without the mark', { timeout: 120_000 }, async () => {
    const marked = await bootAndWatch({
      diskPath: syslinuxCardPath({ active: true, table: 'gpt' }),
      medium: 'usb-stick',
      firmware: 'bios',
      banner: syslinuxBanner,
      budgetMs: 40_000,
    });
    expect(marked.bannerSeen, marked.consoleText).toBe(true);
    const unmarked = await bootAndWatch({
      diskPath: syslinuxCardPath({ active: false, table: 'gpt' }),
      medium: 'usb-stick',
      firmware: 'bios',
      banner: syslinuxBanner,
      budgetMs: 15_000,
    });
    expect(unmarked.bannerSeen).toBe(false);
  });
});
