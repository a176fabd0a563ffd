// Finds sums files and their detached signatures next to an image, by the names distributions use:
// SHA256SUMS (Ubuntu, Debian), *-CHECKSUM (Fedora), *.DIGESTS (Gentoo), image.iso.sha256, sha256sum.txt…
import { opendir, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A folder with more entries than this is only searched this far (a download folder can be huge). */
const maxDirectoryEntries = 20_000;
/** At most this many sums files are read per image. */
export const maxSumsFiles = 32;

const wholeNames = /^(?:(?:sha(?:1|224|256|384|512)|md5|b2)sums?(?:\.txt)?|checksums?(?:\.txt)?|digests(?:\.txt)?)$/i;
const suffixes = /(?:[._-](?:sha(?:1|224|256|384|512)|md5|b2)(?:sums?)?|[._-]checksums?|\.digests)$/i;
export const detachedSignatureSuffixes = ['.gpg', '.sig', '.asc', '.sign'] as const;

export function isSumsFileName(name: string): boolean {
  return wholeNames.test(name) || suffixes.test(name);
}

export interface FoundSumsFile {
  readonly sumsPath: string;
  /** Detached signatures found beside it (`SHA256SUMS.gpg`, `.sig`, `.asc`, `.sign`), in that order. */
  readonly signaturePaths: readonly string[];
}

/** Sums files in the image's folder, the ones naming the image first (`image.iso.sha256`). */
export async function findSumsFiles(imagePath: string): Promise<FoundSumsFile[]> {
  const dir = dirname(imagePath);
  const imageName = basename(imagePath);
  const names: string[] = [];
  const handle = await opendir(dir);
  for await (const entry of handle) {
    if (names.length >= maxDirectoryEntries) break;
    if (entry.isFile() || entry.isSymbolicLink()) names.push(entry.name);
  }
  const present = new Set(names);
  const sums = names
    .filter((name) => name !== imageName && isSumsFileName(name))
    .sort((a, b) => Number(b.startsWith(imageName)) - Number(a.startsWith(imageName)) || a.localeCompare(b))
    .slice(0, maxSumsFiles);
  return sums.map((name) => ({
    sumsPath: join(dir, name),
    signaturePaths: detachedSignatureSuffixes.filter((suffix) => present.has(name + suffix)).map((suffix) => join(dir, name + suffix)),
  }));
}

/** Detached signatures beside a sums file the user chose. */
export async function findDetachedSignatures(sumsPath: string): Promise<string[]> {
  const name = basename(sumsPath);
  let names: string[];
  try {
    names = (await readdir(dirname(sumsPath))).slice(0, maxDirectoryEntries);
  } catch {
    return [];
  }
  const present = new Set(names);
  return detachedSignatureSuffixes.filter((suffix) => present.has(name + suffix)).map((suffix) => join(dirname(sumsPath), name + suffix));
}
