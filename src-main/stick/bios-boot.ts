// Whether a copy-files stick of an image can also boot PC BIOS, and the files that make it do so: an
// image booting BIOS through ISOLINUX (isolinux.bin + isolinux.cfg in isolinux/, boot/isolinux/ or
// syslinux/) gets the host's SYSLINUX of the same version (stick/syslinux-bios.ts) at the root of the
// FAT32 volume, with a syslinux.cfg that loads the image's own isolinux.cfg from its folder, as Rufus
// writes it. Only on an MBR stick: SYSLINUX's mbr.bin boots the active partition.
import type { FatInputEntry } from '../fat/fat-directories.ts';
import type { PlannedVolume } from '../fat/fat32-writer.ts';
import { entryContentSource } from '../format/entry-source.ts';
import type { FileTree } from '../format/file-tree.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { createMemorySource } from '../io/memory-source.ts';
import { findDirectory } from './image-markers.ts';
import { hostSyslinux, isolinuxVersion, patchSyslinux, type SyslinuxLoader } from './syslinux-bios.ts';

/** Where ISOLINUX images keep isolinux.bin and isolinux.cfg. */
const isolinuxFolders: readonly (readonly string[])[] = [['isolinux'], ['boot', 'isolinux'], ['syslinux']];
/** isolinux.bin is about 40 KiB; more is read only to find its version banner. */
const maxIsolinuxBinBytes = 256 * 1024;
const rootFiles = ['ldlinux.sys', 'ldlinux.c32', 'syslinux.cfg'];

export interface BiosBootPlan {
  /** The files SYSLINUX needs at the volume's root (LDLINUX.SYS patched by `install`). */
  readonly entries: readonly FatInputEntry[];
  /** Patches LDLINUX.SYS for where the planned volume put it; the boot code for the MBR and the volume's boot sector. */
  install(volume: PlannedVolume): Promise<{ mbrCode: Uint8Array; volumeBootSector: Uint8Array }>;
}

/** The image's ISOLINUX folder (as the tree names it) and version, when the host has the same SYSLINUX. */
export async function findInstallableIsolinux(tree: FileTree): Promise<{ folder: string; loader: SyslinuxLoader } | null> {
  for (const names of isolinuxFolders) {
    const folder = await findDirectory(tree, names);
    if (!folder) continue;
    const entries = await tree.listDirectory(folder);
    const named = (name: string) => entries.find((entry) => entry.type === 'file' && entry.name.toLowerCase() === name);
    const bin = named('isolinux.bin');
    if (!bin || !named('isolinux.cfg') || bin.zisofs) continue;
    const head = await entryContentSource(tree.source, bin).read(0, Math.min(bin.sizeBytes, maxIsolinuxBinBytes));
    const version = isolinuxVersion(head);
    const loader = version === null ? null : await hostSyslinux();
    return loader !== null && loader.version === version ? { folder: folder.path, loader } : null;
  }
  return null;
}

/** The BIOS boot of a copy-files stick of `tree`'s image; null when it cannot have one (no ISOLINUX, no matching SYSLINUX, a root file in the way). */
export async function planBiosBoot(tree: FileTree, modifiedMs: number): Promise<BiosBootPlan | null> {
  const found = await findInstallableIsolinux(tree);
  if (!found) return null;
  const root = await tree.listDirectory(tree.root);
  if (root.some((entry) => rootFiles.includes(entry.name.toLowerCase()))) return null;
  const { folder, loader } = found;
  const ldlinuxSys = new Uint8Array(loader.ldlinuxSys.byteLength); // filled by install, before anything reads it
  // syslinux.cfg: syslinux/doc/syslinux.txt CONFIG (load another file, APPEND sets its directory).
  const config = new TextEncoder().encode(`DEFAULT loadconfig\n\nLABEL loadconfig\n  CONFIG ${folder}/isolinux.cfg\n  APPEND ${folder}/\n`);
  const file = (path: string, content: ByteSource): FatInputEntry => ({ path, type: 'file', sizeBytes: content.sizeBytes, modifiedMs, content });
  return {
    entries: [
      file('/ldlinux.sys', createMemorySource(ldlinuxSys, 'ldlinux.sys')),
      file('/ldlinux.c32', createMemorySource(loader.ldlinuxC32, 'ldlinux.c32')),
      file('/syslinux.cfg', createMemorySource(config, 'syslinux.cfg')),
    ],
    async install(volume) {
      const offsetBytes = volume.fileOffsets.get('/ldlinux.sys');
      if (offsetBytes === undefined || offsetBytes % 512 !== 0) throw new Error(`ldlinux.sys was planned at ${String(offsetBytes)}`);
      const patched = patchSyslinux(loader, offsetBytes / 512);
      ldlinuxSys.set(patched.ldlinuxSys);
      return { mbrCode: loader.mbrCode, volumeBootSector: patched.bootSector(await volume.source.read(0, 512)) };
    },
  };
}
