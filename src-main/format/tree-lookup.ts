// Finding entries in any image file tree (ISO 9660 or UDF): path lookup, the path-safe form of a
// recorded name, and the index from a file's first logical block to its entry (El Torito's lookup).
import type { FileTree, TreeEntry } from './file-tree.ts';

/** The entry at `path` below `root`, one directory listing per component; null when none is there. */
export async function lookupEntry<Entry extends TreeEntry>(
  root: Entry,
  listDirectory: (directory: Entry) => Promise<readonly Entry[]>,
  path: string,
): Promise<Entry | null> {
  let current = root;
  for (const name of splitImagePath(path)) {
    if (current.type !== 'directory') return null;
    const next = findChild(await listDirectory(current), name);
    if (!next) return null;
    current = next;
  }
  return current;
}

/**
 * The child a path component names. A component as isoinfo and pycdlib print ISO 9660 names
 * ("B2048.BIN;1", "NOEXT.;1", ECMA-119 7.5.1) names the entry listed without its version and
 * empty extension, unless an entry is listed with exactly that name (a Rock Ridge name may hold ";1").
 */
function findChild<Entry extends TreeEntry>(children: readonly Entry[], name: string): Entry | undefined {
  const exact = children.find((child) => child.name === name);
  if (exact) return exact;
  const bare = stripVersion(name);
  return bare === name ? undefined : children.find((child) => child.name === bare);
}

/** "/a/b/" -> ["a", "b"]; empty and "." components are ignored, ".." is refused (never leaves the root). */
export function splitImagePath(path: string): string[] {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return ['\0..'];
  return parts;
}

/**
 * Every file by the logical block its data starts at (the El Torito boot image lookup: a boot catalog
 * entry names an LBA, this finds the ISO path of that file). One walk of the whole tree; where files
 * share an extent (hard links, deduplicated content) the first one met names it.
 */
export async function indexFilesByExtentLba(image: FileTree): Promise<Map<number, TreeEntry>> {
  const files = new Map<number, TreeEntry>();
  for await (const entry of image.walk()) {
    if (entry.type === 'file' && !files.has(entry.extentLba)) files.set(entry.extentLba, entry);
  }
  return files;
}

/** ECMA-119 7.5.1: "NAME.EXT;1": the version and an empty extension's separator are not part of the name. */
export function stripVersion(identifier: string): string {
  const withoutVersion = identifier.replace(/;\d*$/, '');
  return withoutVersion.endsWith('.') && !/^\.+$/.test(withoutVersion) ? withoutVersion.slice(0, -1) : withoutVersion;
}

/**
 * A name that is safe as one path component: hostile images may name a file "", ".", "..", or put
 * "/" or NUL inside a name. Those characters become "_" so every path in the tree is unambiguous.
 */
export function safeName(name: string): string {
  // The common case, a clean short name, costs two scans and no regular expression.
  if (name.length > 2 && name.length <= 1024 && !name.includes('/') && !name.includes('\0')) return name;
  const cleaned = name.replace(/[/\0]/g, '_');
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return `_${cleaned}`;
  return cleaned.length > 1024 ? cleaned.slice(0, 1024) : cleaned;
}
