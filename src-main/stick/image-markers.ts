// What an image's file tree says about how its files boot once copied onto a FAT stick: the UEFI
// removable-media loaders in EFI/BOOT (UEFI 2.10 3.5.1.1) and a Windows installer's setup images
// (sources/install.wim, install.esd, boot.wim). Names are matched case-insensitively, as FAT
// firmware and Windows Setup match them; each lookup lists at most two directories.
import type { FileTree, TreeEntry } from '../format/file-tree.ts';

/** The entry of `directory` named `name`, ignoring case; null when there is none. */
async function findChild(tree: FileTree, directory: TreeEntry, name: string): Promise<TreeEntry | null> {
  const wanted = name.toLowerCase();
  const entries = await tree.listDirectory(directory);
  return entries.find((entry) => entry.name.toLowerCase() === wanted) ?? null;
}

/** The directory at `names` below the root (each step ignoring case); null when a step is missing or not a directory. */
export async function findDirectory(tree: FileTree, names: readonly string[]): Promise<TreeEntry | null> {
  let directory: TreeEntry = tree.root;
  for (const name of names) {
    const child = await findChild(tree, directory, name);
    if (!child || child.type !== 'directory') return null;
    directory = child;
  }
  return directory;
}

/** The files of EFI/BOOT named BOOT*.EFI, as the tree names them (BOOTX64.EFI, bootaa64.efi, ...). */
export async function findEfiBootLoaderEntries(tree: FileTree): Promise<TreeEntry[]> {
  const directory = await findDirectory(tree, ['EFI', 'BOOT']);
  if (!directory) return [];
  const entries = await tree.listDirectory(directory);
  return entries.filter((entry) => entry.type === 'file' && /^boot.*\.efi$/i.test(entry.name));
}

/** The names of findEfiBootLoaderEntries. */
export async function findEfiBootLoaders(tree: FileTree): Promise<string[]> {
  return (await findEfiBootLoaderEntries(tree)).map((entry) => entry.name);
}

const windowsSetupImages = ['install.wim', 'install.esd', 'boot.wim'];

/** The path of the first Windows setup image in sources/ (install.wim, install.esd, boot.wim); null when none. */
export async function findWindowsSetupImage(tree: FileTree): Promise<string | null> {
  const sources = await findDirectory(tree, ['sources']);
  if (!sources) return null;
  const entries = await tree.listDirectory(sources);
  for (const name of windowsSetupImages) {
    const found = entries.find((entry) => entry.type === 'file' && entry.name.toLowerCase() === name);
    if (found) return found.path;
  }
  return null;
}
