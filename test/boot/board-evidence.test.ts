// The rules that name Raspberry Pi generations and U-Boot loaders, on the names and headers alone:
// what each file names, what is missing, and the headers no Debian package ships (Amlogic's boot
// image needs the vendor's signed FIP, so its "@AML" sector is built here as the boot ROM reads it).
import { describe, expect, it } from 'vitest';
import { recogniseRaspberryPiFiles } from '../../src-main/boot/raspberry-pi-firmware.ts';
import { findRawUBootLoader, recogniseMloFile } from '../../src-main/boot/u-boot-loaders.ts';

describe('Raspberry Pi boot files', () => {
  it('names Pi 1-3 from bootcode.bin alone, listing start.elf and fixup.dat as missing', () => {
    const pi = recogniseRaspberryPiFiles(['BOOTCODE.BIN', 'config.txt'], 1);
    expect(pi?.generations.map((entry) => [entry.generation, entry.files, entry.missing])).toEqual([
      ['bcm2835', ['BOOTCODE.BIN'], ['start.elf', 'fixup.dat']],
      ['bcm2836', ['BOOTCODE.BIN'], ['start.elf', 'fixup.dat']],
      ['bcm2837', ['BOOTCODE.BIN'], ['start.elf', 'fixup.dat']],
    ]);
  });

  it('names every generation of a full Raspberry Pi OS boot partition, with the boards its device trees name', () => {
    const names = [
      'bootcode.bin',
      'start.elf',
      'fixup.dat',
      'start4.elf',
      'fixup4.dat',
      'kernel8.img',
      'kernel_2712.img',
      'bcm2708-rpi-zero-w.dtb',
      'bcm2710-rpi-zero-2-w.dtb',
      'bcm2711-rpi-cm4.dtb',
      'bcm2712d0-rpi-5-b.dtb',
    ];
    const pi = recogniseRaspberryPiFiles(names, 1);
    expect(pi?.generations.map((entry) => entry.generation)).toEqual(['bcm2835', 'bcm2836', 'bcm2837', 'bcm2711', 'bcm2712']);
    expect(pi?.generations.every((entry) => entry.missing.length === 0)).toBe(true);
    expect(pi?.boards).toEqual(['zero-w', 'zero-2-w', 'cm4', '5-b']);
  });

  it('does not name the Pi 4 from its device tree alone, since start4.elf is what its EEPROM loads', () => {
    expect(recogniseRaspberryPiFiles(['bcm2711-rpi-4-b.dtb', 'README'], 1)).toBeNull();
  });

  it('reports a config.txt and kernel without firmware as a Pi partition naming no generation', () => {
    expect(recogniseRaspberryPiFiles(['config.txt', 'kernel7.img'], 1)).toEqual({
      partitionNumber: 1,
      generations: [],
      boards: [],
      configFiles: ['config.txt'],
    });
  });

  it('reads a hostile root of 65,536 device trees in linear time', () => {
    const names = Array.from({ length: 65_536 }, (_, index) => `bcm2711-rpi-board${index}.dtb`);
    const startedMs = performance.now();
    const pi = recogniseRaspberryPiFiles([...names, 'start4.elf'], 1);
    expect(performance.now() - startedMs).toBeLessThan(5000); // the quadratic copy took 137 s here
    expect(pi?.generations[0]?.files).toHaveLength(65_537);
  });

  it('finds nothing on a FAT partition of other files', () => {
    expect(recogniseRaspberryPiFiles(['EFI', 'README.TXT', 'config.txt'], 1)).toBeNull();
  });
});

describe('U-Boot loader headers', () => {
  it('recognises an Amlogic boot image by "@AML" in sector 1', () => {
    const area = new Uint8Array(64 * 1024);
    area.set(Buffer.from('@AML'), 512 + 0x10);
    area.set(Buffer.from('U-Boot 2023.01 (Jan 01 2026)\0'), 4096);
    expect(findRawUBootLoader(area)).toMatchObject({ family: 'amlogic', offsetBytes: 512, version: 'U-Boot 2023.01 (Jan 01 2026)' });
  });

  it('finds no loader in zeros, nor in an i.MX-like tag with a wrong length', () => {
    const area = new Uint8Array(64 * 1024);
    expect(findRawUBootLoader(area)).toBeNull();
    area.set([0xd1, 0x00, 0x21, 0x40], 1024);
    expect(findRawUBootLoader(area)).toBeNull();
  });

  it('does not read past a short area (an image smaller than the loader offsets)', () => {
    const area = new Uint8Array(8192 + 8);
    area.set(Buffer.from('eGON'), 8196); // the header's first half, cut by the end of the area
    expect(findRawUBootLoader(area)).toBeNull();
  });

  it('does not take a file named MLO holding 512 zero bytes for a TI loader', () => {
    expect(recogniseMloFile(new Uint8Array(512), 1048576, 512, 2)).toBeNull();
  });

  it('describes an MLO file with a GP header but no table of contents by where it is', () => {
    const head = new Uint8Array(512);
    const view = new DataView(head.buffer);
    view.setUint32(0, 400, true); // image size, within the 512-byte file
    view.setUint32(4, 0x402f0400, true); // AM335x public SRAM, where its ROM loads the image
    expect(recogniseMloFile(head, 1048576, 512, 2)).toMatchObject({ family: 'ti-omap', offsetBytes: 1048576, board: null, version: null });
  });

  it('refuses a GP header whose size exceeds the file or whose load address lies outside SRAM', () => {
    const head = new Uint8Array(512);
    const view = new DataView(head.buffer);
    view.setUint32(0, 513, true);
    view.setUint32(4, 0x402f0400, true);
    expect(recogniseMloFile(head, 0, 512, 1)).toBeNull();
    view.setUint32(0, 400, true);
    view.setUint32(4, 0x80000000, true); // DDR: the boot ROM does not load there
    expect(recogniseMloFile(head, 0, 512, 1)).toBeNull();
  });
});
