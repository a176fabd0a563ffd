// Finds a tree's boot files and turns a request's boot options into the composer's El Torito entries
// (BootImageSpec) and hybrid system area (HybridSpec), the way xorriso's documented recipes use them:
// - BIOS: ISOLINUX (isolinux/isolinux.bin, boot/isolinux/isolinux.bin) or GRUB (boot/grub/i386-pc/
//   eltorito.img), no emulation, 4 virtual sectors, with the boot info table (and GRUB's own patch);
// - EFI: a FAT image in the tree (efi.img, boot/grub/efi.img, images/efiboot.img), checked to be FAT
//   and to hold a removable-media loader; else, when EFI/BOOT/BOOT*.EFI is there, a FAT image made
//   from the tree's EFI/BOOT/ (fat/fat-image-writer.ts). The EFI image gets a partition in a hybrid.
// Paths the request names win over detection; a named path the tree lacks is `not-found`.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IsoBootOptions } from '../../shared/authoring.ts';
import type { MbrBootCodeKind } from '../../shared/boot.ts';
import { classifyBootCode } from '../disk/master-boot-record.ts';
import { findAuthoringNode, type AuthoringNode } from '../format/authoring-tree.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import type { FatInputEntry } from '../fat/fat-directories.ts';
import { planFatImage } from '../fat/fat-image-writer.ts';
import { listEfiBootLoaders } from '../fat/fat-volume.ts';
import { CodedError } from '../jobs/errors.ts';
import type { BootImageSpec, HybridSpec } from './iso-authoring.ts';

type BiosLoader = 'isolinux' | 'grub' | 'other';

export interface DetectedTreeBoot {
  readonly bios: { readonly path: string; readonly bootInfoTable: boolean; readonly loader: BiosLoader } | null;
  readonly efi: { readonly path: string } | { readonly generateFrom: string } | null;
  /** Words for IsoLayoutSummary.boot.detected. */
  readonly notes: readonly string[];
}

/** Where distributions and grub-mkrescue put their BIOS boot images, and which loader each is. */
const biosCandidates: readonly { readonly path: string; readonly loader: BiosLoader }[] = [
  { path: '/isolinux/isolinux.bin', loader: 'isolinux' },
  { path: '/boot/isolinux/isolinux.bin', loader: 'isolinux' },
  { path: '/boot/grub/i386-pc/eltorito.img', loader: 'grub' },
];
/** Where grub-mkrescue, Debian/Ubuntu and Fedora/RHEL put the EFI FAT image. */
const efiImageCandidates = ['/efi.img', '/boot/grub/efi.img', '/images/efiboot.img'] as const;
/** UEFI 2.10 3.5.1.1: removable media boot from \EFI\BOOT\BOOT{arch}.EFI (FAT is case-blind). */
const efiBootDirectory = '/EFI/BOOT';
const removableLoaderName = /^BOOT[A-Z0-9]+\.EFI$/iu;
/** mkisofs -boot-info-table patches bytes 8-63: a BIOS image shorter than that cannot carry it. */
const minimumBiosImageBytes = 64;
/** isohybrid's MBR boot code: the first 432 bytes of isohdpfx.bin or GRUB's boot_hybrid.img. */
const mbrBootCodeBytes = 432;
/** El Torito 2.0 2.2: a no-emulation BIOS image loads 4 virtual 512-byte sectors, as mkisofs -boot-load-size 4. */
const biosLoadSectors = 4;
const loaderNames: Readonly<Record<BiosLoader, string>> = { isolinux: 'ISOLINUX', grub: 'GRUB', other: 'a BIOS boot image' };

/** A file node at `path`, or null; names compare exactly, as the image will record them. */
function fileAt(root: AuthoringNode, path: string): AuthoringNode | null {
  const node = findAuthoringNode(root, path);
  return node?.kind === 'file' ? node : null;
}

/** The directory at `path` compared case-blind, as UEFI's FAT driver finds \EFI\BOOT; its path as the tree spells it. */
function directoryCaseBlind(root: AuthoringNode, path: string): { node: AuthoringNode; path: string } | null {
  let node = root;
  let spelled = '';
  for (const name of path.split('/').filter((part) => part !== '')) {
    const next = node.children?.find((child) => child.kind === 'directory' && child.name.toUpperCase() === name.toUpperCase());
    if (!next) return null;
    node = next;
    spelled += `/${next.name}`;
  }
  return { node, path: spelled };
}

/** The BIOS image detected, and the words that say so. */
function detectBios(root: AuthoringNode): { bios: DetectedTreeBoot['bios']; note: string | null } {
  for (const candidate of biosCandidates) {
    const node = fileAt(root, candidate.path);
    if (node && node.sizeBytes >= minimumBiosImageBytes) {
      const bios = { path: candidate.path, bootInfoTable: true, loader: candidate.loader };
      return { bios, note: `${candidate.path}: ${loaderNames[candidate.loader]}, BIOS no-emulation, boot info table` };
    }
  }
  return { bios: null, note: null };
}

/** The removable-media loaders in a FAT image (read from its bytes), or null when it is no FAT volume. */
async function fatImageLoaders(node: AuthoringNode): Promise<string[] | null> {
  if (!node.content) return null;
  try {
    return await listEfiBootLoaders(node.content, 0);
  } catch (error) {
    // Damaged or hostile (including past its work budget): not an image to boot from, which the caller
    // says. A file that changed or cannot be read is the walk's error, not a verdict on the image.
    if (error instanceof CorruptImageError) return null;
    throw error;
  } finally {
    await node.content.close(); // reopened when the image is written
  }
}

/** The EFI image detected (a FAT image in the tree, else EFI/BOOT/ to generate one from), and the words that say so. */
async function detectEfi(root: AuthoringNode): Promise<{ efi: DetectedTreeBoot['efi']; notes: string[] }> {
  const notes: string[] = [];
  for (const path of efiImageCandidates) {
    const node = fileAt(root, path);
    if (!node) continue;
    const loaders = await fatImageLoaders(node);
    if (loaders === null) notes.push(`${path}: not a readable FAT image, not used for EFI`);
    else if (loaders.length === 0) notes.push(`${path}: a FAT image without EFI/BOOT/BOOT*.EFI, not used for EFI`);
    else return { efi: { path }, notes: [...notes, `${path}: EFI FAT image with ${loaders.join(', ')}, EFI no-emulation`] };
  }
  const directory = directoryCaseBlind(root, efiBootDirectory);
  const loaders = (directory?.node.children ?? []).filter((child) => child.kind === 'file' && removableLoaderName.test(child.name));
  if (directory && loaders.length > 0) {
    const names = loaders.map((loader) => loader.name).join(', ');
    return { efi: { generateFrom: directory.path }, notes: [...notes, `${directory.path}: ${names}; an EFI FAT image will be made from ${directory.path}`] };
  }
  return { efi: null, notes };
}

/** What the tree offers to boot from: the first BIOS image and EFI image found (see the file's header). */
export async function detectTreeBoot(root: AuthoringNode): Promise<DetectedTreeBoot> {
  const { bios, note } = detectBios(root);
  const { efi, notes } = await detectEfi(root);
  return { bios, efi, notes: [...(note ? [note] : []), ...notes] };
}

/** The loader a named BIOS image is, by its file name. */
function loaderOf(path: string): BiosLoader {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name === 'isolinux.bin') return 'isolinux';
  if (name === 'eltorito.img') return 'grub';
  return 'other';
}

/** A path the request names must be a file of the tree. */
function requireFile(root: AuthoringNode, path: string, what: string): AuthoringNode {
  const absolute = path.startsWith('/') ? path : `/${path}`;
  const node = findAuthoringNode(root, absolute);
  if (!node) throw new CodedError('not-found', `the ${what} ${absolute} is not in the image's tree`, { path: absolute });
  if (node.kind !== 'file') throw new CodedError('not-a-file', `the ${what} ${absolute} is a ${node.kind}, not a file`, { path: absolute });
  return node;
}

function biosEntry(bios: NonNullable<DetectedTreeBoot['bios']>): BootImageSpec {
  return {
    platformId: 0x00, // El Torito 2.0 2.1: 80x86
    mediaType: 0,
    loadSegment: 0,
    systemType: 0,
    loadSectorCount: biosLoadSectors,
    bootInfoTable: bios.bootInfoTable,
    grub2BootInfo: bios.loader === 'grub',
    image: { path: bios.path },
    partition: false,
  };
}

function efiEntry(image: BootImageSpec['image']): BootImageSpec {
  // El Torito 2.0 2.1: platform 0xEF (EFI); the whole image loads (loadSectorCount null), and a hybrid gives it a partition.
  return { platformId: 0xef, mediaType: 0, loadSegment: 0, systemType: 0, loadSectorCount: null, bootInfoTable: false, image, partition: true };
}

/** The BIOS image: the named one, else the detected one (`detect`), with the words that say so. */
function resolveBios(root: AuthoringNode, options: IsoBootOptions, detect: boolean): { bios: DetectedTreeBoot['bios']; note: string | null } {
  if (!options.biosImagePath) return detect ? detectBios(root) : { bios: null, note: null };
  const node = requireFile(root, options.biosImagePath, 'BIOS boot image');
  const path = options.biosImagePath.startsWith('/') ? options.biosImagePath : `/${options.biosImagePath}`;
  const loader = loaderOf(path);
  // ISOLINUX and GRUB's El Torito images need the boot info table; any other image is recorded as given.
  const bootInfoTable = loader !== 'other' && node.sizeBytes >= minimumBiosImageBytes;
  return {
    bios: { path, bootInfoTable, loader },
    note: `${path}: ${loaderNames[loader]} (named), BIOS no-emulation${bootInfoTable ? ', boot info table' : ''}`,
  };
}

/** A 32-bit volume id for the generated FAT image, from the seed (equal seeds, equal images). */
function volumeIdFrom(seed: string): number {
  let hash = 0x811c9dc5; // FNV-1a
  for (const char of seed) hash = Math.imul(hash ^ (char.codePointAt(0) as number), 0x01000193) >>> 0;
  return hash;
}

/** FAT entries for the tree's directory at `path` and everything below it (files and folders; other kinds are left out, named in `notes`). */
function fatEntriesBelow(directory: AuthoringNode, path: string, fixedTimeMs: number | null, notes: string[]): FatInputEntry[] {
  const entries: FatInputEntry[] = [];
  const visit = (node: AuthoringNode, nodePath: string): void => {
    const modifiedMs = fixedTimeMs ?? node.modifiedMs;
    if (node.kind === 'directory') {
      entries.push({ path: nodePath, type: 'directory', sizeBytes: 0, modifiedMs });
      for (const child of [...(node.children ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
        visit(child, `${nodePath}/${child.name}`);
    } else if (node.kind === 'file' && node.content) {
      entries.push({ path: nodePath, type: 'file', sizeBytes: node.sizeBytes, modifiedMs, content: node.content });
    } else {
      notes.push(`${nodePath}: a ${node.kind}, left out of the generated EFI image`);
    }
  };
  // Every parent comes before its children: /EFI, then /EFI/BOOT and its contents.
  const parts = path.split('/').filter((part) => part !== '');
  parts
    .slice(0, -1)
    .forEach((_, index) =>
      entries.push({ path: `/${parts.slice(0, index + 1).join('/')}`, type: 'directory', sizeBytes: 0, modifiedMs: fixedTimeMs ?? directory.modifiedMs }),
    );
  visit(directory, path);
  return entries;
}

/** The named EFI image: a FAT image of the tree, or 'generate' (from the tree's EFI/BOOT/). */
async function namedEfi(root: AuthoringNode, efiImagePath: string, notes: string[]): Promise<NonNullable<DetectedTreeBoot['efi']>> {
  if (efiImagePath === 'generate') {
    const directory = directoryCaseBlind(root, efiBootDirectory);
    if (!directory)
      throw new CodedError('not-found', `an EFI image is to be made from ${efiBootDirectory}, which is not in the image's tree`, { path: efiBootDirectory });
    notes.push(`${directory.path}: an EFI FAT image will be made from it (named)`);
    return { generateFrom: directory.path };
  }
  const node = requireFile(root, efiImagePath, 'EFI boot image');
  const path = efiImagePath.startsWith('/') ? efiImagePath : `/${efiImagePath}`;
  if ((await fatImageLoaders(node)) === null) throw new CodedError('not-an-image', `the EFI boot image ${path} is not a FAT image`, { path });
  notes.push(`${path}: EFI FAT image (named), EFI no-emulation`);
  return { path };
}

/** The EFI image's El Torito entry: the named one, else the detected one (`detect`); a generated image is planned here. */
async function resolveEfi(
  root: AuthoringNode,
  options: IsoBootOptions & { detect: boolean },
  generation: { identitySeed: string; fixedFileTimesMs: number | null; notes: string[] },
): Promise<BootImageSpec | null> {
  let efi: DetectedTreeBoot['efi'] = null;
  if (options.efiImagePath) efi = await namedEfi(root, options.efiImagePath, generation.notes);
  else if (options.detect) {
    const detected = await detectEfi(root);
    generation.notes.push(...detected.notes);
    efi = detected.efi;
  }
  if (efi === null) return null;
  if ('path' in efi) return efiEntry({ path: efi.path });
  const directory = directoryCaseBlind(root, efi.generateFrom) as { node: AuthoringNode; path: string };
  const entries = fatEntriesBelow(directory.node, directory.path, generation.fixedFileTimesMs, generation.notes);
  const { source } = planFatImage({ entries, label: 'EFIBOOT', volumeId: volumeIdFrom(generation.identitySeed) });
  return efiEntry({ source, description: `generated from ${directory.path}` });
}

/** The first 432 bytes of the named MBR boot code file (isohdpfx.bin, boot_hybrid.img). */
async function readMbrBootCode(path: string): Promise<Uint8Array> {
  // O_NONBLOCK: a FIFO named here opens at once (and is refused below as not a file) instead of hanging the job.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: unknown) => {
    const code = error instanceof Error && 'code' in error ? error.code : null;
    if (code === 'ENOENT') throw new CodedError('not-found', `the hybrid MBR file ${path} does not exist`, { path });
    if (code === 'EACCES' || code === 'EPERM') throw new CodedError('permission-denied', `${path}: permission denied opening it`, { path });
    throw error;
  });
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new CodedError('not-a-file', `the hybrid MBR ${path} is not a regular file`, { path });
    const code = new Uint8Array(mbrBootCodeBytes);
    const { bytesRead } = await handle.read(code, 0, mbrBootCodeBytes, 0);
    if (bytesRead < mbrBootCodeBytes) {
      throw new CodedError('invalid-request', `the hybrid MBR ${path} holds ${stats.size} bytes; isohybrid boot code is ${mbrBootCodeBytes} bytes`, { path });
    }
    return code;
  } finally {
    await handle.close();
  }
}

/** Words for MBR boot code that will not start the BIOS image: isohdpfx.bin jumps into ISOLINUX, GRUB's boot_hybrid.img into GRUB's core.img. */
function mbrMismatch(path: string, kind: MbrBootCodeKind, bios: NonNullable<DetectedTreeBoot['bios']>): string | null {
  const expected: Partial<Record<BiosLoader, MbrBootCodeKind>> = { isolinux: 'isohybrid', grub: 'grub2' };
  if (kind === 'unknown') return `${path}: neither ISOLINUX's isohdpfx.bin nor GRUB's boot_hybrid.img; it gets isohybrid's address of ${bios.path}`;
  if (expected[bios.loader] !== kind) {
    const codeName = kind === 'grub2' ? "GRUB's boot_hybrid.img" : "ISOLINUX's isohdpfx.bin";
    return `${path}: ${codeName} will not start ${bios.path} (${loaderNames[bios.loader]}) from a stick`;
  }
  return null;
}

/**
 * The hybrid system area the request asks for: MBR boot code (needs a BIOS image to start) and/or a
 * GPT (needs an EFI image to give a partition: without one the request's `gpt` is dropped, with a note,
 * since xorriso's -isohybrid-gpt-basdat has nothing to mark). Nothing asked: no hybrid.
 */
async function resolveHybrid(options: IsoBootOptions, bios: DetectedTreeBoot['bios'], hasEfi: boolean, notes: string[]): Promise<HybridSpec | null> {
  let mbrBootCode: Uint8Array | null = null;
  if (options.hybridMbrPath) {
    if (!bios) throw new CodedError('invalid-request', `the hybrid MBR ${options.hybridMbrPath} starts a BIOS boot image, and the image has none`);
    mbrBootCode = await readMbrBootCode(options.hybridMbrPath);
    const note = mbrMismatch(options.hybridMbrPath, classifyBootCode(mbrBootCode), bios);
    if (note) notes.push(note);
  }
  let gpt = options.gpt === true;
  if (gpt && !hasEfi) {
    notes.push('GPT left out: it would give the EFI boot image a partition, and the image has none');
    gpt = false;
  }
  return mbrBootCode || gpt ? { mbrBootCode, gpt, apm: false } : null;
}

/**
 * Builds the BootImageSpec list (BIOS first: it is El Torito's default entry) and the HybridSpec from
 * the request's IsoBootOptions and the tree: named paths win over detection (`detect: false` turns it
 * off), 'generate' makes the EFI FAT image with planFatImage. `fixedFileTimesMs` (reproducible images)
 * is the time of every file in a generated EFI image.
 */
export async function resolveBoot(
  root: AuthoringNode,
  options: IsoBootOptions,
  identitySeed: string,
  reproducible: { fixedFileTimesMs: number | null } = { fixedFileTimesMs: null },
): Promise<{ entries: BootImageSpec[]; hybrid: HybridSpec | null; detected: string[] }> {
  const detect = options.detect !== false;
  const { bios, note } = resolveBios(root, options, detect);
  const notes = note ? [note] : [];
  const efi = await resolveEfi(root, { ...options, detect }, { identitySeed, fixedFileTimesMs: reproducible.fixedFileTimesMs, notes });
  const entries = [...(bios ? [biosEntry(bios)] : []), ...(efi ? [efi] : [])];
  const hybrid = await resolveHybrid(options, bios, efi !== null, notes);
  return { entries, hybrid, detected: notes };
}
