// Paths the Create screen and "Edit a copy" work with: paths on this computer (sources, the output)
// and absolute paths inside an image ('/boot/grub/grub.cfg'). Pure string work, no engine call.

/** The last part of a path ('/home/ada/site/' -> 'site'). */
export function lastPathPart(path: string): string {
  const parts = path.split('/').filter((part) => part !== '');
  return parts.at(-1) ?? '';
}

/** A typed path with its trailing slashes dropped ('/home/ada/site/' -> '/home/ada/site'; '/' stays). */
export function trimmedPath(path: string): string {
  return path.trim().replace(/(.)\/+$/, '$1');
}

/** A new image's file name from its first source: '/home/ada/site' -> 'site.iso'. */
export function suggestedImageName(firstSource: string | undefined): string {
  const name = lastPathPart(firstSource ?? '').replace(/\.[^.]*$/, '');
  return `${name || 'new-image'}.iso`;
}

/** An edited copy's file name: 'debian-12.iso' -> 'debian-12-edited.iso'. */
export function suggestedCopyName(imagePath: string): string {
  const name = lastPathPart(imagePath);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}-edited${name.slice(dot)}` : `${name || 'image'}-edited.iso`;
}

/** `name` inside the image folder `folder` ('/', 'a' -> '/a'; '/boot/', 'b' -> '/boot/b'). */
export function imagePathIn(folder: string, name: string): string {
  const parts = folder.split('/').filter((part) => part !== '');
  return `/${[...parts, name].join('/')}`;
}

/** The folder an image path lies in ('/boot/grub.cfg' -> '/boot'; '/a' -> '/'). */
export function imageFolderOf(path: string): string {
  const parts = path.split('/').filter((part) => part !== '');
  return `/${parts.slice(0, -1).join('/')}`;
}

/**
 * Where a rename puts `path`: a typed path starting with '/' is the whole new path (a move), a plain
 * name a new name in the same folder; null when nothing usable was typed (empty, a relative path with
 * '/', '.' or '..') or nothing would change.
 */
export function renamedPath(path: string, typed: string): string | null {
  const trimmed = trimmedPath(typed);
  const parts = trimmed.split('/').filter((part) => part !== '');
  if (parts.length === 0 || parts.some((part) => part === '.' || part === '..')) return null;
  if (!trimmed.startsWith('/') && parts.length > 1) return null;
  const target = trimmed.startsWith('/') ? imagePathIn('/', parts.join('/')) : imagePathIn(imageFolderOf(path), trimmed);
  return target === path ? null : target;
}
