// What xorriso says about how an image boots, for the end-to-end tests to compare the Boot tab with.
import { execFileSync } from 'node:child_process';

/**
 * BIOS/UEFI El Torito entries, MBR boot code and an EFI system partition, from xorriso's reports.
 * `stdio:` makes xorriso take a file under /dev (a test's /dev/shm) as an image, not refuse it as a drive.
 */
export function xorrisoBootFacts(image: string): { opticalBios: boolean; opticalUefi: boolean; usbBios: boolean; usbUefi: boolean } {
  const report = execFileSync('xorriso', ['-indev', `stdio:${image}`, '-report_el_torito', 'plain', '-report_system_area', 'plain'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return {
    opticalBios: /El Torito boot img :\s+\d+\s+BIOS\s+y/.test(report),
    opticalUefi: /El Torito boot img :\s+\d+\s+UEFI\s+y/.test(report),
    usbBios: /System area summary:.*(grub2-mbr|isohybrid)/.test(report),
    usbUefi: /MBR partition\s+:\s+\d+\s+0x[0-9a-f]{2}\s+0xef/.test(report) || /GPT type GUID\s+:.*C12A7328/i.test(report),
  };
}
