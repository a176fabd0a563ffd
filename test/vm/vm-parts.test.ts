// The parts of `isotope try` that need no VM: QEMU's command line, finding QEMU and OVMF at fixed
// paths only, the guest's memory, a compressed image without its decoded file, and the PPM → PNG
// conversion of QEMU's screendump (with hostile PPM headers refused).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng, parsePpm } from '../../src-main/vm/ppm-to-png.ts';
import { qemuArgs, type QemuLaunch } from '../../src-main/vm/qemu-args.ts';
import { findOvmf, findQemu, guestMemoryMiB, hasDisplay, kvmUsable, qemuInstallHint } from '../../src-main/vm/qemu-host.ts';
import { clearDecodedCaches, decodeToCache } from '../../src-main/container/decoded-cache.ts';
import { bootableDiskPath } from '../../src-main/vm/try-in-vm.ts';
import { driveLaunch, parseVmDriveWork } from '../../src-main/vm/drive-launch.ts';

const GiB = 1024 ** 3;

const ppm = (header: string, pixels: Uint8Array): Uint8Array => new Uint8Array(Buffer.concat([Buffer.from(header, 'latin1'), pixels]));

describe('PPM screendump to PNG', () => {
  it('encodes the pixels of a P6 PPM (with a comment) as PNG scanlines with filter 0, and the chunks carry their lengths', () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 3 }, (_, index) => index * 7);
    const image = parsePpm(ppm('P6\n# QEMU\n3 2\n255\n', pixels));
    expect([image.widthPixels, image.heightPixels]).toEqual([3, 2]);
    const png = encodePng(image);
    expect(png.readUInt32BE(16)).toBe(3);
    expect(png.readUInt32BE(20)).toBe(2);
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    const scanlines = inflateSync(png.subarray(41, 41 + idatLength));
    expect([...scanlines]).toEqual([0, ...pixels.subarray(0, 9), 0, ...pixels.subarray(9)]);
    expect(png.toString('latin1', png.length - 8, png.length - 4)).toBe('IEND');
  });

  it.each([
    ['a header cut short', ppm('P6\n3 2', new Uint8Array(0)), /header incomplete after 6 bytes \(found 3 of 4 fields\)/],
    ['an ASCII PPM', ppm('P3\n1 1\n255\n', new Uint8Array(3)), /P3 with maxval 255/],
    ['16-bit samples', ppm('P6\n1 1\n65535\n', new Uint8Array(6)), /maxval 65535/],
    ['a size beyond any screen', ppm('P6\n100000 100000\n255\n', new Uint8Array(3)), /100000×100000 is outside 1\.\.16384/],
    ['a zero width', ppm('P6\n0 5\n255\n', new Uint8Array(0)), /0×5 is outside/],
    ['pixel data shorter than the size', ppm('P6\n2 2\n255\n', new Uint8Array(11)), /needs 12 pixel bytes at offset 11, the file has 11/],
    ['pixel data longer than the size', ppm('P6\n1 1\n255\n', new Uint8Array(4)), /needs 3 pixel bytes .* the file has 4/],
  ])('refuses %s with the numbers in the message', (_name, bytes, message) => {
    expect(() => parsePpm(bytes)).toThrow(message);
  });
});

const launch: QemuLaunch = {
  diskPath: '/images/a,b.iso',
  firmware: 'uefi',
  medium: 'cd',
  memoryMiB: 1024,
  useKvm: false,
  ovmf: { files: { codePath: '/fw/CODE.fd', varsTemplatePath: '/fw/VARS.fd' }, varsPath: '/tmp/run/VARS.fd' },
  headless: true,
  serialPath: '/tmp/serial.txt',
  firmwareLogPath: null,
  qmpSocketPath: '/tmp/run/qmp.sock',
};

describe('the QEMU command line', () => {
  it('reads the image as raw bytes through a snapshot, with a comma in its name doubled so it cannot add options', () => {
    const args = qemuArgs(launch);
    expect(args).toContain('-snapshot');
    expect(args).toContain('file=/images/a,,b.iso,format=raw,if=none,id=disc,media=cdrom,readonly=on');
    expect(args).toContain('if=pflash,format=raw,readonly=on,file=/fw/CODE.fd');
    expect(args.join(' ')).toContain('-accel tcg -m 1024');
    expect(args.join(' ')).toContain('-display none');
  });

  it('attaches a USB stick to an EHCI controller, uses KVM when asked and opens a window when not headless', () => {
    const args = qemuArgs({ ...launch, medium: 'usb', firmware: 'bios', useKvm: true, headless: false });
    expect(args).toContain('usb-storage,bus=ehci.0,drive=stick,bootindex=0');
    expect(args).not.toContain('-display');
    expect(args.join(' ')).toContain('-accel kvm');
    expect(args.join(' ')).not.toContain('pflash');
  });

  it('boots a drive from the read-only descriptor QEMU inherits (an fd set), never by its path, and read-only to the guest', () => {
    const args = qemuArgs({ ...launch, diskPath: '/dev/sdz', inheritedDiskFd: 3, medium: 'usb' });
    expect(args.join(' ')).toContain('-add-fd fd=3,set=1,opaque=/dev/sdz');
    expect(args).toContain('file.driver=host_device,file.filename=/dev/fdset/1,format=raw,if=none,readonly=on,id=stick');
    expect(args.filter((arg) => arg.includes('/dev/sdz'))).toEqual(['fd=3,set=1,opaque=/dev/sdz']);
  });

  it("sends the firmware's debug console (I/O port 0x402, where SeaBIOS logs) to the firmware log file, its comma doubled, and to nothing without one", () => {
    const args = qemuArgs({ ...launch, firmwareLogPath: '/run/a,b/firmware.log' });
    expect(args.join(' ')).toContain('-chardev file,id=firmwarelog,path=/run/a,,b/firmware.log -device isa-debugcon,iobase=0x402,chardev=firmwarelog');
    expect(qemuArgs(launch).join(' ')).not.toContain('isa-debugcon');
  });

  it("an elevated drive trial's firmware log is a file of the run's scratch folder, asked for by a boolean the helper checks", () => {
    const work = {
      kind: 'vm-drive',
      device: '/dev/sdz',
      deviceNumber: '8:0',
      scratchDir: '/tmp/isotope-try-x',
      firmware: 'bios',
      medium: 'usb',
      memoryMiB: 256,
      useKvm: false,
      serial: true,
    };
    expect(driveLaunch(parseVmDriveWork({ ...work, firmwareLog: true })!, null).firmwareLogPath).toBe('/tmp/isotope-try-x/firmware.log');
    expect(driveLaunch(parseVmDriveWork(work)!, null).firmwareLogPath).toBeNull(); // an engine that does not ask for one
    expect(parseVmDriveWork({ ...work, firmwareLog: '/etc/shadow' })).toBeNull();
  });
});

describe('install hints and the display', () => {
  it.each([
    ['Debian', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n', 'sudo apt install qemu-system-x86 ovmf'],
    ['Ubuntu (through ID_LIKE)', 'ID=ubuntu\nID_LIKE=debian\n', 'sudo apt install qemu-system-x86 ovmf'],
    ['Linux Mint (ID_LIKE names two)', 'ID=linuxmint\nID_LIKE="ubuntu debian"\n', 'sudo apt install qemu-system-x86 ovmf'],
    ['Fedora', 'NAME="Fedora Linux"\nID=fedora\n', 'sudo dnf install qemu-system-x86 edk2-ovmf'],
    ['Rocky (like RHEL)', 'ID="rocky"\nID_LIKE="rhel centos fedora"\n', 'sudo dnf install qemu-system-x86 edk2-ovmf'],
    ['Arch', 'ID=arch\n', 'sudo pacman -S qemu-desktop edk2-ovmf'],
    ['EndeavourOS (like Arch)', 'ID=endeavouros\nID_LIKE=arch\n', 'sudo pacman -S qemu-desktop edk2-ovmf'],
  ])("chooses the package manager from %s's os-release", (_name, osRelease, hint) => {
    expect(qemuInstallHint('linux', osRelease)).toBe(hint);
  });

  it('points an unknown distribution to its package manager and qemu.org, macOS to Homebrew and Windows to winget', () => {
    expect(qemuInstallHint('linux', 'ID=gentoo\n')).toMatch(/your distribution's package manager.*qemu\.org/);
    expect(qemuInstallHint('darwin', '')).toBe('brew install qemu');
    expect(qemuInstallHint('win32', '')).toMatch(/^winget install SoftwareFreedomConservancy\.QEMU .*qemu\.org/);
  });

  it('has a display on Linux only with DISPLAY or WAYLAND_DISPLAY set, and always on macOS and Windows', () => {
    expect(hasDisplay('linux', {})).toBe(false);
    expect(hasDisplay('linux', { DISPLAY: '' })).toBe(false);
    expect(hasDisplay('linux', { DISPLAY: ':0' })).toBe(true);
    expect(hasDisplay('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(hasDisplay('darwin', {})).toBe(true);
    expect(hasDisplay('win32', {})).toBe(true);
  });

  it('takes ISOTOPE_VM_ACCEL=tcg as no KVM even where /dev/kvm opens', async () => {
    expect(await kvmUsable('/dev/null', { ISOTOPE_VM_ACCEL: 'tcg' })).toBe(false);
    if (process.platform === 'linux') expect(await kvmUsable('/dev/null', {})).toBe(true); // /dev/null opens read-write: the check is only the open
  });
});

describe('the host', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotope-vm-parts-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    // This machine is Debian: /etc/os-release's ID chooses apt.
    ['linux', /not found at \/nowhere\/qemu.*sudo apt install qemu-system-x86 ovmf/],
    ['darwin', /brew install qemu/],
    ['win32', /winget install/],
  ] as const)('without QEMU at the known paths on %s, says how to install it', async (platform, words) => {
    await expect(findQemu(platform, ['/nowhere/qemu'])).rejects.toMatchObject({ code: 'unsupported', message: expect.stringMatching(words) });
  });

  it('without OVMF, names the packages to install', async () => {
    await expect(findOvmf([{ codePath: '/nowhere/CODE.fd', varsTemplatePath: '/nowhere/VARS.fd' }])).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringMatching(/apt install ovmf.*dnf install edk2-ovmf/),
    });
  });

  it('gives the guest a quarter of the host memory, at most 2 GiB and at least 512 MiB', () => {
    expect(guestMemoryMiB(4 * GiB)).toBe(1024);
    expect(guestMemoryMiB(64 * GiB)).toBe(2048);
    expect(guestMemoryMiB(1 * GiB)).toBe(512);
  });

  it('refuses a gzip image without a decoded cache file with needs-decoding and a folder with not-a-file, and boots a raw image as it is', async () => {
    const raw = join(dir, 'disk.img');
    writeFileSync(raw, Buffer.alloc(4096));
    const compressed = join(dir, 'disk.img.gz');
    writeFileSync(compressed, gzipSync(Buffer.alloc(4096)));
    expect(await bootableDiskPath(raw)).toBe(raw);
    await expect(bootableDiskPath(dir)).rejects.toMatchObject({ code: 'not-a-file', message: expect.stringContaining('neither an image file nor a drive') });
    await expect(bootableDiskPath(compressed)).rejects.toMatchObject({
      code: 'needs-decoding',
      message: expect.stringMatching(/gzip-compressed \(\d+ bytes\)/),
    });
  });

  it('boots a compressed image from its decoded cache file once it has one', async () => {
    const compressed = join(dir, 'decoded.img.gz');
    writeFileSync(compressed, gzipSync(Buffer.alloc(8192, 0x5a)));
    const entry = await decodeToCache(compressed);
    try {
      expect(await bootableDiskPath(compressed)).toBe(entry.cachePath);
    } finally {
      await clearDecodedCaches([entry.cachePath]);
    }
  });
});
