// Maps a URL path to a file inside a folder, refusing anything that escapes it (`..`, encoded
// separators, symlinks pointing out) or is not a regular file. Used by both shells to serve the
// built renderer.
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** `root` must already be a real path (no symlinks). Returns null for anything not servable. */
export async function resolveFileInside(root: string, urlPathname: string): Promise<string | null> {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (relative.includes('\0')) return null;
  try {
    const candidate = await realpath(join(root, relative === '/' ? 'index.html' : relative));
    if (!candidate.startsWith(root + sep)) return null;
    return (await stat(candidate)).isFile() ? candidate : null;
  } catch {
    return null;
  }
}
