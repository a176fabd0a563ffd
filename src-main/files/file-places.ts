// The in-app file dialog's side list (files:places, issue 17): Home, Downloads, mounted removable
// media and the folders of recently opened images; it starts in Downloads (where images land), else home.
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Drive } from '../../shared/drive.ts';
import type { FilePlace } from '../../shared/files.ts';

export interface PlacesEnvironment {
  readonly home: string;
  /** The account's name, for /media/<user> and /run/media/<user> (udisks2's mount folders). */
  readonly userName: string;
  /** $XDG_CONFIG_HOME, where user-dirs.dirs lives (~/.config when unset). */
  readonly configHome: string | undefined;
  /** Mountpoints of removable drives' partitions, with their labels (from the drive enumeration). */
  readonly removableMounts: () => Promise<readonly { readonly path: string; readonly label: string | null }[]>;
  readonly recentFolders: readonly string[];
}

export async function filePlaces(environment: PlacesEnvironment): Promise<{ places: FilePlace[]; startPath: string }> {
  const { home } = environment;
  const downloads = await downloadsFolder(home, environment.configHome);
  const places: FilePlace[] = [{ kind: 'home', label: 'Home', path: home }];
  if (downloads !== null) places.push({ kind: 'downloads', label: 'Downloads', path: downloads });
  for (const media of await removableMedia(environment)) places.push({ kind: 'removable', label: media.label ?? basename(media.path), path: media.path });
  for (const folder of environment.recentFolders) places.push({ kind: 'recent', label: basename(folder) || folder, path: folder });
  return { places, startPath: downloads ?? home };
}

/**
 * XDG_DOWNLOAD_DIR from user-dirs.dirs (xdg-user-dirs: `XDG_DOWNLOAD_DIR="$HOME/Downloads"`, a
 * value either "$HOME/..." or absolute), else ~/Downloads; null when that folder does not exist.
 */
async function downloadsFolder(home: string, configHome: string | undefined): Promise<string | null> {
  const userDirs = await readFile(join(configHome?.startsWith('/') ? configHome : join(home, '.config'), 'user-dirs.dirs'), 'utf8').catch(() => null);
  const named = userDirs === null ? null : downloadDirFrom(userDirs, home);
  const folder = named ?? join(home, 'Downloads');
  return (await isFolder(folder)) ? folder : null;
}

/** The XDG_DOWNLOAD_DIR line's folder; null when absent or not of the two forms the format allows. */
export function downloadDirFrom(userDirsText: string, home: string): string | null {
  const match = /^XDG_DOWNLOAD_DIR="([^"]*)"\s*$/m.exec(userDirsText);
  if (!match) return null;
  const value = (match[1] ?? '').replaceAll('\\"', '"');
  if (value.startsWith('$HOME/')) return join(home, value.slice('$HOME/'.length));
  if (value === '$HOME') return null; // "Downloads is the home folder": xdg-user-dirs' way of saying none
  return value.startsWith('/') ? value : null;
}

/** Removable drives' mountpoints, then udisks2's per-user mount folders; each folder once. */
async function removableMedia(environment: PlacesEnvironment): Promise<{ path: string; label: string | null }[]> {
  const fromDrives = await environment.removableMounts().catch(() => []);
  const userMounts = await Promise.all([join('/media', environment.userName), join('/run/media', environment.userName)].map(subfolders));
  const seen = new Set<string>();
  const media: { path: string; label: string | null }[] = [];
  for (const mount of [...fromDrives, ...userMounts.flat().map((path) => ({ path, label: null }))]) {
    if (seen.has(mount.path)) continue;
    seen.add(mount.path);
    media.push(mount);
  }
  return media;
}

async function subfolders(parent: string): Promise<string[]> {
  const entries: Dirent[] = await readdir(parent, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory()).map((entry) => join(parent, entry.name));
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/** Where removable, non-system drives (or their partitions) are mounted, with the partition's label. */
export function removableMountsOf(drives: readonly Drive[]): { path: string; label: string | null }[] {
  const mounts: { path: string; label: string | null }[] = [];
  for (const drive of drives.filter((candidate) => (candidate.isRemovable || candidate.isUsb) && !candidate.isSystem)) {
    for (const partition of drive.partitions) for (const path of partition.mountpoints) if (path.startsWith('/')) mounts.push({ path, label: partition.label });
    for (const path of drive.mountpoints) if (path.startsWith('/') && !mounts.some((mount) => mount.path === path)) mounts.push({ path, label: null });
  }
  return mounts;
}
