// What an extraction does where something is already at an entry's destination (shared/image.ts
// ImageExtractRequest.onConflict): refuse naming it, overwrite, skip, or keep both. Overwriting
// writes a new file (or link) beside the old one and renames it over: rename(2) replaces the
// directory entry itself, so a symbolic link at the destination is replaced, never followed, and the
// old file stays whole until the new one is complete. A folder is never replaced by a file or link.
// Every name made here fits NAME_MAX (255 bytes of UTF-8), however long the image's name.
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, symlink, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { ExtractConflict, ExtractConflictChoice, ImageExtractRequest } from '../../shared/image.ts';
import { CodedError } from '../jobs/errors.ts';
import { maxComponentBytes } from '../io/extraction-paths.ts';
import { utf8Prefix } from '../format/utf8-prefix.ts';

/** How many "name (n)" siblings keep-both tries before it gives up (n = 2 … this). */
const keepBothMaxCopies = 1000;

/** Something is already where an entry would be written, and the caller chose no way around it. */
export class DestinationExistsError extends CodedError {
  readonly hostPath: string;
  constructor(hostPath: string, entryPath: string, why: string) {
    super('destination-exists', `${hostPath} already exists (${why}); the image's ${entryPath} was not written over it`, { path: hostPath });
    this.name = 'DestinationExistsError';
    this.hostPath = hostPath;
  }
}

/**
 * A folder on the way to an entry is no longer the one planned (it was swapped for a symbolic link
 * while the extraction ran): nothing there is removed or renamed, which would act outside the destination.
 */
export class DestinationChangedError extends CodedError {
  readonly hostPath: string;
  constructor(hostPath: string, realParent: string | null) {
    super(
      'destination-changed',
      `the folder of ${hostPath} now ${realParent === null ? 'cannot be resolved' : `leads to ${realParent}`}: it was replaced during the extraction, so nothing there was removed or renamed`,
      { path: hostPath },
    );
    this.name = 'DestinationChangedError';
    this.hostPath = hostPath;
  }
}

/**
 * Refuses when `hostPath`'s folder is not the folder planned. The planned path joins the destination's
 * real path with folders this extraction made or checked with lstat, so it is its own real path unless
 * one of them was swapped for a link since. Called just before each unlink and rename, which (unlike
 * creating with O_EXCL | O_NOFOLLOW) act on whatever such a link leads to. A swap in the microseconds
 * between this check and the call stays possible: Node offers no unlinkat/renameat on a held folder.
 */
export async function ensurePlannedParent(hostPath: string): Promise<void> {
  const plannedParent = dirname(hostPath);
  const realParent = await realpath(plannedParent).catch(() => null);
  if (realParent !== plannedParent) throw new DestinationChangedError(hostPath, realParent);
}

export type ConflictPolicy = (entryPath: string) => ExtractConflictChoice | 'fail';

/** The choice for each entry: its own from `conflictChoices`, else `onConflict`, else 'fail'. */
export function conflictPolicy(request: Pick<ImageExtractRequest, 'onConflict' | 'conflictChoices'>): ConflictPolicy {
  // A Map, not the request's object: an entry named "__proto__" or "constructor" must not find Object's own fields.
  const choices = new Map(Object.entries(request.conflictChoices ?? {}));
  const fallback = request.onConflict ?? 'fail';
  return (entryPath) => choices.get(entryPath) ?? fallback;
}

/**
 * "name (2).ext" for copy 2 of "name.ext"; a folder, or a name whose only dot leads it, gets " (2)" at
 * the end. A name too long for the copy number loses the end of its stem (never the extension, unless
 * the extension alone leaves no room), so the copy's name fits NAME_MAX.
 */
export function keepBothName(name: string, copyNumber: number, isDirectory: boolean): string {
  const suffix = ` (${copyNumber})`;
  const dot = isDirectory ? -1 : name.lastIndexOf('.');
  const extension = dot <= 0 ? '' : name.slice(dot);
  const stemBytes = maxComponentBytes - Buffer.byteLength(suffix + extension, 'utf8');
  if (extension === '' || stemBytes < 1) return `${utf8Prefix(name, maxComponentBytes - suffix.length)}${suffix}`;
  return `${utf8Prefix(name.slice(0, dot), stemBytes)}${suffix}${extension}`;
}

/** What lies at `hostPath`, not following a link there; null when nothing does. */
export async function existingKindAt(hostPath: string): Promise<ExtractConflict['existingKind'] | null> {
  const stats = await lstat(hostPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
    throw error;
  });
  if (stats === null) return null;
  if (stats.isDirectory()) return 'directory';
  return stats.isFile() ? 'file' : 'other';
}

/** Tries `create` at "name (2)", "name (3)", … beside `hostPath` until one is free; EEXIST means taken. */
async function createBeside<T>(
  hostPath: string,
  entryPath: string,
  isDirectory: boolean,
  create: (path: string) => Promise<T>,
): Promise<{ path: string; made: T }> {
  for (let copyNumber = 2; copyNumber <= keepBothMaxCopies; copyNumber += 1) {
    const path = join(dirname(hostPath), keepBothName(basename(hostPath), copyNumber, isDirectory));
    try {
      return { path, made: await create(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new DestinationExistsError(hostPath, entryPath, `and so do its copies (2) to (${keepBothMaxCopies})`);
}

/** A name for a new file beside `hostPath`, to be renamed over it once complete: ".name.isotope-<12 hex>", within NAME_MAX. */
export function replacementPath(hostPath: string): string {
  const tag = `.isotope-${randomBytes(6).toString('hex')}`;
  return join(dirname(hostPath), `.${utf8Prefix(basename(hostPath), maxComponentBytes - 1 - tag.length)}${tag}`);
}

async function refuseFolder(hostPath: string, entryPath: string): Promise<void> {
  if ((await existingKindAt(hostPath)) === 'directory')
    throw new DestinationExistsError(hostPath, entryPath, 'a folder is there, and a folder is never replaced by a file or link');
}

export interface PlacedFile {
  readonly handle: FileHandle;
  /** Where the bytes are written now... */
  readonly writePath: string;
  /** ...and where they end (renamed there when it differs: an overwrite). */
  readonly finalPath: string;
}

const exclusiveWrite = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Opens the file for `entryPath` at `hostPath`, or where the choice puts it; null when skipped.
 * O_EXCL | O_NOFOLLOW: nothing already there is ever opened, written through or truncated.
 */
export async function openFileFor(hostPath: string, entryPath: string, choice: ExtractConflictChoice | 'fail'): Promise<PlacedFile | null> {
  try {
    return { handle: await open(hostPath, exclusiveWrite, 0o644), writePath: hostPath, finalPath: hostPath };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' && (error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
  }
  switch (choice) {
    case 'fail':
      throw new DestinationExistsError(hostPath, entryPath, `a ${(await existingKindAt(hostPath)) === 'directory' ? 'folder' : 'file or link'} is there`);
    case 'skip':
      return null;
    case 'keep-both': {
      const { path, made } = await createBeside(hostPath, entryPath, false, (candidate) => open(candidate, exclusiveWrite, 0o644));
      return { handle: made, writePath: path, finalPath: path };
    }
    case 'overwrite': {
      await refuseFolder(hostPath, entryPath);
      const writePath = replacementPath(hostPath);
      return { handle: await open(writePath, exclusiveWrite, 0o644), writePath, finalPath: hostPath };
    }
  }
}

/**
 * Makes the symbolic link for `entryPath` at `hostPath`, or where the choice puts it. Answers the
 * path made, the temporary path to rename over `hostPath` (an overwrite), or null when skipped.
 */
export async function placeLinkFor(
  target: string,
  hostPath: string,
  entryPath: string,
  choice: ExtractConflictChoice | 'fail',
): Promise<{ readonly writePath: string; readonly finalPath: string } | null> {
  try {
    await symlink(target, hostPath);
    return { writePath: hostPath, finalPath: hostPath };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  switch (choice) {
    case 'fail':
      throw new DestinationExistsError(hostPath, entryPath, 'something is there');
    case 'skip':
      return null;
    case 'keep-both': {
      const { path } = await createBeside(hostPath, entryPath, false, (candidate) => symlink(target, candidate));
      return { writePath: path, finalPath: path };
    }
    case 'overwrite': {
      await refuseFolder(hostPath, entryPath);
      const writePath = replacementPath(hostPath);
      await symlink(target, writePath);
      return { writePath, finalPath: hostPath };
    }
  }
}

/**
 * Makes the folder for `entryPath` at `hostPath`: an existing real folder is used as it is (the two
 * merge); a file or link there goes by the choice. Answers the folder's path and whether this call
 * made it, or null when skipped (with everything under it).
 */
export async function placeFolderFor(
  hostPath: string,
  entryPath: string,
  choice: ExtractConflictChoice | 'fail',
): Promise<{ readonly path: string; readonly created: boolean } | null> {
  try {
    await mkdir(hostPath);
    return { path: hostPath, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((await existingKindAt(hostPath)) === 'directory') return { path: hostPath, created: false };
  switch (choice) {
    case 'fail':
      throw new DestinationExistsError(hostPath, entryPath, 'a file or link is there where the image has a folder');
    case 'skip':
      return null;
    case 'keep-both':
      return { path: (await createBeside(hostPath, entryPath, true, (candidate) => mkdir(candidate))).path, created: true };
    case 'overwrite':
      await ensurePlannedParent(hostPath);
      await unlink(hostPath); // the file or the link itself, never what a link points to
      await mkdir(hostPath);
      return { path: hostPath, created: true };
  }
}

/**
 * Where entries land once folders were renamed (keep-both) or skipped: each planned entry's
 * components with its renamed ancestors' new names, or null under a skipped folder.
 */
export class FolderPlacements {
  readonly #renamed = new Map<string, string>();
  readonly #skipped = new Set<string>();

  /** Keys join the image's own components with NUL, which no extracted name holds. */
  static #key(components: readonly string[]): string {
    return components.join('\0');
  }

  rename(components: readonly string[], newName: string): void {
    this.#renamed.set(FolderPlacements.#key(components), newName);
  }

  skip(components: readonly string[]): void {
    this.#skipped.add(FolderPlacements.#key(components));
  }

  place(components: readonly string[]): readonly string[] | null {
    if (this.#renamed.size === 0 && this.#skipped.size === 0) return components;
    const placed = [...components];
    let key = '';
    for (let depth = 0; depth < components.length - 1; depth += 1) {
      key = depth === 0 ? (components[0] as string) : `${key}\0${components[depth] as string}`;
      if (this.#skipped.has(key)) return null;
      const newName = this.#renamed.get(key);
      if (newName !== undefined) placed[depth] = newName;
    }
    return placed;
  }
}
