// The files a copy-files stick holds, planned from the image's tree before anything is written: every
// directory and file (read in place through entryContentSource), sources/install.wim replaced by its
// .swm parts when larger than the part size (Windows Setup reads a split set as one WIM), and
// autounattend.xml at the root when a Windows option is chosen; when the tree has no EFI/BOOT loader,
// the El Torito EFI image's loaders go to EFI/BOOT (stick/efi-loaders.ts). What FAT32 cannot hold is refused
// here, naming the file: a file of 4 GiB or more (FAT spec 3.2, DIR_FileSize is 32 bits) and a
// zisofs-compressed file (its bytes are not its extents; boot media do not use zisofs).
import type { CopyModeOptions } from '../../shared/stick.ts';
import type { FatInputEntry } from '../fat/fat-directories.ts';
import { entryContentSource } from '../format/entry-source.ts';
import type { FileTree, TreeEntry } from '../format/file-tree.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { createMemorySource } from '../io/memory-source.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';
import { splitWim } from '../wim/wim-split.ts';
import { findEfiLoadersToCopy } from './efi-loaders.ts';
import { autounattendFileName, buildAutounattendXml } from './windows-unattend.ts';

/** FAT spec 3.2: DIR_FileSize is 32 bits, so a file holds at most 4 GiB - 1 bytes. */
export const maxFatFileBytes = 0xffffffff;

/** Where Windows Setup looks for its install image (and the split set that replaces it). */
const installWimPath = '/sources/install.wim';

export interface CopyModeFiles {
  /** Directories before their children, in the tree's order; the input of planFat32Volume. */
  readonly entries: readonly FatInputEntry[];
  /** Every file by its path on the stick, for verification. */
  readonly files: ReadonlyMap<string, ByteSource>;
}

/** The stick's files from `tree` (the namespace copy mode reads: UDF for Windows, Rock Ridge or Joliet for ISOs). */
export async function planCopyModeFiles(
  image: ByteSource,
  tree: FileTree,
  options: { copy: CopyModeOptions; recordedMs: number; signal?: AbortSignal | undefined },
): Promise<CopyModeFiles> {
  const answerFile = buildAutounattendXml(options.copy.windows);
  const entries: FatInputEntry[] = [];
  const files = new Map<string, ByteSource>();
  const addFile = (path: string, sizeBytes: number, modifiedMs: number, content: ByteSource): void => {
    entries.push({ path, type: 'file', sizeBytes, modifiedMs, content });
    files.set(path, content);
  };
  const directories = new Map<string, string>(); // lower-case path -> path as named
  for await (const batch of tree.walkBatches()) {
    throwIfCancelled(options.signal, 'planning the copied files');
    for (const entry of batch) {
      const modifiedMs = entry.mtimeMs ?? options.recordedMs;
      if (entry.type === 'directory') {
        entries.push({ path: entry.path, type: 'directory', sizeBytes: 0, modifiedMs });
        directories.set(entry.path.toLowerCase(), entry.path);
        continue;
      }
      // FAT holds no symbolic links or devices, and boot media need none.
      if (entry.type !== 'file') continue;
      // The chosen Windows options replace the image's own answer file.
      if (answerFile !== null && entry.path.toLowerCase() === `/${autounattendFileName}`) continue;
      if (isSplitInstallWim(entry, options.copy)) {
        const parts = await splitWim(entryContentSource(image, entry), {
          baseName: 'install.swm',
          maxPartBytes: options.copy.wimPartBytes,
          signal: options.signal,
        });
        for (const part of parts) addFile(`${parentPath(entry.path)}/${part.name}`, part.source.sizeBytes, modifiedMs, part.source);
        continue;
      }
      addFile(entry.path, entry.sizeBytes, modifiedMs, fileContent(image, entry));
    }
  }
  const loaders = await findEfiLoadersToCopy(image, tree);
  if (loaders.origin === 'el-torito') {
    const bootDirectory = ensureDirectories(['EFI', 'BOOT'], directories, (path) =>
      entries.push({ path, type: 'directory', sizeBytes: 0, modifiedMs: options.recordedMs }),
    );
    for (const loader of loaders.elToritoFiles)
      addFile(`${bootDirectory}/${loader.name}`, loader.sizeBytes, loader.mtimeMs ?? options.recordedMs, fileContent(image, loader));
  }
  if (answerFile !== null) {
    const bytes = new TextEncoder().encode(answerFile);
    addFile(`/${autounattendFileName}`, bytes.byteLength, options.recordedMs, createMemorySource(bytes, autounattendFileName));
  }
  return { entries, files };
}

/** The path of the directory `names` below the root, as the tree names it; adds the steps it lacks. */
function ensureDirectories(names: readonly string[], directories: Map<string, string>, add: (path: string) => void): string {
  let path = '';
  for (const name of names) {
    const wanted = `${path}/${name}`;
    const existing = directories.get(wanted.toLowerCase());
    if (existing === undefined) {
      add(wanted);
      directories.set(wanted.toLowerCase(), wanted);
    }
    path = existing ?? wanted;
  }
  return path;
}

function isSplitInstallWim(entry: TreeEntry, copy: CopyModeOptions): boolean {
  return entry.path.toLowerCase() === installWimPath && entry.sizeBytes > copy.wimPartBytes;
}

function parentPath(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

function fileContent(image: ByteSource, entry: TreeEntry): ByteSource {
  if (entry.sizeBytes > maxFatFileBytes) {
    throw new CodedError(
      'file-too-large',
      `${entry.path} holds ${entry.sizeBytes} bytes; FAT32 holds files up to ${maxFatFileBytes} bytes, and only ${installWimPath} can be split`,
    );
  }
  if (entry.zisofs) {
    throw new CodedError(
      'unsupported',
      `${entry.path} is zisofs-compressed (${entry.zisofs.algorithm}): copy-files mode copies files as stored, and cannot copy it`,
    );
  }
  return entryContentSource(image, entry);
}
