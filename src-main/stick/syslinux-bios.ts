// BIOS boot for copy-files sticks of ISOLINUX images (issue 14's stretch goal), as `syslinux --install`
// and Rufus make it: SYSLINUX's MBR code, its boot sector code in the FAT32 volume's boot sector, and
// LDLINUX.SYS patched with the sectors it lies in (syslinux libinstaller/syslxmod.c syslinux_patch).
// LDLINUX.SYS is not shipped as a file: it is taken from the host's installer by installing it once on
// a scratch volume (planned by our own FAT32 writer) and reading it back through our FAT reader. Only
// a SYSLINUX of the image's ISOLINUX version is used: its modules (menu.c32, ...) must match the core.
// One of the few engine files that start a process and touch the file system.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openFatTree } from '../fat/fat-tree.ts';
import { planFat32Volume } from '../fat/fat32-writer.ts';
import { entryContentSource } from '../format/entry-source.ts';
import { openFileSource } from '../io/file-source.ts';

/** What the host's SYSLINUX installer puts on a FAT volume, ready to be patched for another. */
export interface SyslinuxLoader {
  /** "6.04", from LDLINUX.SYS's banner. */
  readonly version: string;
  /** LDLINUX.SYS with its two ADV sectors, as installed on the scratch volume. */
  readonly ldlinuxSys: Uint8Array;
  readonly ldlinuxC32: Uint8Array;
  /** The scratch volume's boot sector, holding SYSLINUX's boot code. */
  readonly bootSector: Uint8Array;
  /** SYSLINUX's MBR boot code (mbr.bin), 440 bytes at most. */
  readonly mbrCode: Uint8Array;
}

const sectorBytes = 512;
/** syslxint.h: the patch area starts with this dword. */
const ldlinuxMagic = 0x3eb202fe;
/** Two 512-byte ADV (auxiliary data vector) sectors follow the loader (syslinux_patch: "+ 2"). */
const advBytes = 2 * sectorBytes;
/** syslxint.h struct fat_boot_sector: the jump and OEM name, then (after the BPB) bs32.Code up to the 55 AA signature. */
const bootHead = { from: 0, to: 0x0b };
const bootCode = { from: 0x5a, to: 0x1fe };
const mbrCodePaths = ['/usr/lib/syslinux/mbr/mbr.bin', '/usr/lib/SYSLINUX/mbr.bin', '/usr/share/syslinux/mbr.bin'];
/** Only the system's own installer, never one found through PATH: the elevated helper composes sticks too. */
const installerPaths = ['/usr/bin/syslinux', '/bin/syslinux'];

const run = promisify(execFile);
let harvested: Promise<SyslinuxLoader | null> | null = null;

/** The host's SYSLINUX, installed once per process on a scratch volume; null when there is none. */
export function hostSyslinux(): Promise<SyslinuxLoader | null> {
  harvested ??= harvestSyslinux().catch(() => null);
  return harvested;
}

async function harvestSyslinux(): Promise<SyslinuxLoader | null> {
  const mbrCode = await firstReadable(mbrCodePaths);
  const installer = installerPaths.find((path) => existsSync(path));
  if (!mbrCode || !installer) return null;
  const folder = await mkdtemp(join(tmpdir(), 'isotope-syslinux-'));
  try {
    const scratch = join(folder, 'scratch.img');
    const volumeSizeBytes = 40 * 1024 * 1024; // enough clusters for FAT32 at 512 bytes each
    const volume = planFat32Volume({ volumeSizeBytes, hiddenSectors: 0, label: 'SCRATCH', volumeId: 0x150707e, entries: [] });
    await writeFile(scratch, await volume.source.read(0, volume.source.sizeBytes));
    await truncate(scratch, volumeSizeBytes);
    await run(installer, ['--install', scratch], { timeout: 60_000 });
    const source = await openFileSource(scratch);
    try {
      const tree = await openFatTree(source);
      const read = async (path: string): Promise<Uint8Array> => {
        const entry = await tree.lookup(path);
        if (!entry) throw new Error(`syslinux --install left no ${path}`);
        return entryContentSource(source, entry).read(0, entry.sizeBytes);
      };
      const ldlinuxSys = await read('/ldlinux.sys');
      const version = /SYSLINUX (\d+\.\d+)/.exec(Buffer.from(ldlinuxSys).toString('latin1'))?.[1];
      if (!version) return null;
      return { version, ldlinuxSys, ldlinuxC32: await read('/ldlinux.c32'), bootSector: await source.read(0, sectorBytes), mbrCode: mbrCode.subarray(0, 440) };
    } finally {
      await source.close();
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function firstReadable(paths: readonly string[]): Promise<Uint8Array | null> {
  for (const path of paths) {
    try {
      return new Uint8Array(await readFile(path));
    } catch {
      // not here: try the next distribution's place
    }
  }
  return null;
}

/** The ISOLINUX version an isolinux.bin names ("6.04"); null when it names none. */
export function isolinuxVersion(isolinuxBin: Uint8Array): string | null {
  return /ISOLINUX (\d+\.\d+)/.exec(Buffer.from(isolinuxBin).toString('latin1'))?.[1] ?? null;
}

export interface PatchedSyslinux {
  readonly ldlinuxSys: Uint8Array;
  /** The volume's boot sector with SYSLINUX's code in it, pointing at LDLINUX.SYS. */
  bootSector(volumeBootSector: Uint8Array): Uint8Array;
}

/**
 * LDLINUX.SYS patched for a volume where it lies contiguous from `firstSector` (512-byte sectors
 * from the volume's first, as libfat counts them), after syslxmod.c syslinux_patch: the boot
 * sector's pointer to its first sector, the extents of the rest, the ADV pointers and the checksum.
 * Throws when the loader does not have the layout this code knows (the caller then installs none).
 */
export function patchSyslinux(loader: SyslinuxLoader, firstSector: number): PatchedSyslinux {
  const image = new Uint8Array(loader.ldlinuxSys);
  const imageBytes = image.byteLength - advBytes; // boot_image_len
  if (imageBytes <= 0 || imageBytes % sectorBytes !== 0) throw new Error(`LDLINUX.SYS of ${image.byteLength} bytes is not whole sectors`);
  const view = new DataView(image.buffer);
  let patchArea = 0;
  while (patchArea + 24 <= imageBytes && view.getUint32(patchArea, true) !== ldlinuxMagic) patchArea += 4;
  if (patchArea + 24 > imageBytes) throw new Error('LDLINUX.SYS has no patch area');
  const extended = view.getUint16(patchArea + 22, true); // epaoffset
  const field = (offset: number): number => view.getUint16(extended + offset, true);
  const sectorCount = imageBytes / sectorBytes + 2; // nsect, the two ADV sectors included
  const dwords = imageBytes >>> 2;
  view.setUint16(patchArea + 8, sectorCount - 2, true); // data_sectors
  view.setUint16(patchArea + 10, 2, true); // adv_sectors
  view.setUint32(patchArea + 12, dwords, true);
  writeExtents(view, field(10), field(12), firstSector + 1, sectorCount - 3); // secptroffset, secptrcnt
  view.setBigUint64(field(0), BigInt(firstSector + sectorCount - 2), true); // the two ADV pointers
  view.setBigUint64(field(0) + 8, BigInt(firstSector + sectorCount - 1), true);
  view.setUint32(patchArea + 16, 0, true);
  let checksum = ldlinuxMagic;
  for (let index = 0; index < dwords; index += 1) checksum = (checksum - view.getUint32(index * 4, true)) >>> 0;
  view.setUint32(patchArea + 16, checksum, true);
  const sect1ptr0 = field(14);
  const sect1ptr1 = field(16);
  return {
    ldlinuxSys: image,
    bootSector(volumeBootSector) {
      const sector = new Uint8Array(volumeBootSector);
      sector.set(loader.bootSector.subarray(bootHead.from, bootHead.to), bootHead.from);
      sector.set(loader.bootSector.subarray(bootCode.from, bootCode.to), bootCode.from);
      const sectorView = new DataView(sector.buffer);
      sectorView.setUint32(sect1ptr0, firstSector, true);
      sectorView.setUint32(sect1ptr1, Math.floor(firstSector / 2 ** 32), true);
      return sector;
    },
  };
}

/**
 * syslxmod.c generate_extents: runs of consecutive sectors, each under 64 KiB and not crossing a
 * 64 KiB boundary of the load address (0x8000 on for the second sector on), 10 bytes each (lba, len).
 */
function writeExtents(view: DataView, offsetBytes: number, slots: number, firstSector: number, sectorCount: number): void {
  for (let at = 0; at < slots * 10; at += 1) view.setUint8(offsetBytes + at, 0);
  let slot = 0;
  let address = 0x8000;
  let base = address;
  let start = firstSector;
  let length = 0;
  for (let sector = firstSector; sector < firstSector + sectorCount; sector += 1) {
    const extendedBytes = (length + 1) * sectorBytes;
    if (length > 0 && extendedBytes < 65536 && ((address ^ (base + extendedBytes - 1)) & 0xffff0000) === 0) length += 1;
    else {
      if (length > 0) slot = writeExtent(view, offsetBytes, slot, slots, start, length);
      base = address;
      start = sector;
      length = 1;
    }
    address += sectorBytes;
  }
  if (length > 0) writeExtent(view, offsetBytes, slot, slots, start, length);
}

function writeExtent(view: DataView, offsetBytes: number, slot: number, slots: number, lba: number, length: number): number {
  if (slot >= slots) throw new Error(`LDLINUX.SYS has room for ${slots} extents, more are needed`);
  view.setBigUint64(offsetBytes + slot * 10, BigInt(lba), true);
  view.setUint16(offsetBytes + slot * 10 + 8, length, true);
  return slot + 1;
}
