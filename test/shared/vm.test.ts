// The serial console as read (shared/vm.ts readableSerialText): what the app's Boot tab shows and
// what the QEMU boot harness (test/helpers/qemu-boot.ts) matches the firmware's and loaders' words in.
import { describe, expect, it } from 'vitest';
import { readableSerialText } from '../../shared/vm.ts';

describe('readableSerialText', () => {
  it("removes GRUB's cursor and clearing sequences and carriage returns, keeping the words", () => {
    expect(readableSerialText('\u001b[H\u001b[J\u001b[1;1HISOTOPE-BOOT-OK-waiting-bios\n\r')).toBe('ISOTOPE-BOOT-OK-waiting-bios\n');
  });

  it("removes OVMF's colour and cursor-hiding sequences", () => {
    expect(readableSerialText('\u001b[0m\u001b[30m\u001b[40mBdsDxe: loading Boot0001\r\n\u001b[?25l')).toBe('BdsDxe: loading Boot0001\n');
  });

  it('removes escape sequences that are not control sequences: a character set choice, cursor save and restore, reverse index', () => {
    expect(readableSerialText('\u001b(BBdsDxe: \u001b7starting\u001b8 Boot0001\u001bM')).toBe('BdsDxe: starting Boot0001');
  });

  it('removes control sequences with any final byte, as ECMA-48 allows', () => {
    expect(readableSerialText('Boot\u001b[2~ing from \u001b[>0cHard Disk...\u001b[1 q')).toBe('Booting from Hard Disk...');
  });

  it('keeps text with no escapes as it is', () => {
    expect(readableSerialText('No bootable device.\n')).toBe('No bootable device.\n');
  });
});
