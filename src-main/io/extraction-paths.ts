// Where an entry of an image may land on the host: always strictly inside the chosen folder. Names
// from an image are hostile input ("..", "/", NUL, absolute paths, 10,000-byte names), so every
// component is checked on its own, and the joined result is checked again.
import { isAbsolute, join, relative, resolve, sep, dirname } from 'node:path';

/** Linux NAME_MAX: longer components are refused by the kernel anyway. */
export const maxComponentBytes = 255;

/** Why a name cannot be a host path component, or null when it can. */
export function unsafeComponentReason(component: string): string | null {
  if (component === '' || component === '.' || component === '..') return `"${component}" is not a file name`;
  if (component.includes('/') || component.includes('\\')) return 'the name contains a path separator';
  if (component.includes('\0')) return 'the name contains a NUL character';
  if (Buffer.byteLength(component, 'utf8') > maxComponentBytes) return `the name is longer than ${maxComponentBytes} bytes`;
  return null;
}

/** Linux PATH_MAX counts the terminating NUL: a longer path fails every call with ENAMETOOLONG. */
export const maxHostPathBytes = 4095;

/** Why `hostPath` cannot be created (too long for the kernel), or null when it can. */
export function hostPathTooLongReason(hostPath: string): string | null {
  const lengthBytes = Buffer.byteLength(hostPath, 'utf8');
  return lengthBytes > maxHostPathBytes ? `the host path would be ${lengthBytes} bytes, longer than the ${maxHostPathBytes + 1}-byte limit (PATH_MAX)` : null;
}

/**
 * The host path for image-relative `components` below `root` (an absolute, real folder), or null
 * when any component is unsafe or the result would not be strictly inside `root`.
 */
export function resolveExtractionPath(root: string, components: readonly string[]): string | null {
  if (components.length === 0) return null;
  for (const component of components) if (unsafeComponentReason(component) !== null) return null;
  const candidate = resolve(root, join(...components));
  return isStrictlyInside(root, candidate) ? candidate : null;
}

/**
 * Where image-relative `components` land below `root`, or why nothing may be written there: an unsafe
 * name, a path leaving `root`, or one longer than PATH_MAX (every system call on it fails with ENAMETOOLONG).
 */
export function hostPathOf(root: string, components: readonly string[]): { readonly hostPath: string } | { readonly reason: string } {
  const unsafe = components.map(unsafeComponentReason).find((reason) => reason !== null);
  if (unsafe) return { reason: unsafe };
  const hostPath = resolveExtractionPath(root, components);
  if (hostPath === null) return { reason: 'the path leaves the destination folder' };
  const tooLong = hostPathTooLongReason(hostPath);
  return tooLong === null ? { hostPath } : { reason: tooLong };
}

/** True when `candidate` is `root` itself's descendant (not root, not outside). */
export function isStrictlyInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Whether a symbolic link at `linkPath` with `target` stays inside `root` when followed. Absolute
 * targets are refused: they would mean the host's root, not the image's. So is any ".." after a name
 * ("a/../.."): if "a" is itself a link, the kernel resolves ".." from where "a" points, not
 * lexically, and two links inside could combine into a path outside. With every ".." first, the
 * climb runs through the real folders above the link (extraction creates no link before its folders).
 */
export function isLinkTargetInside(root: string, linkPath: string, target: string): boolean {
  if (target === '' || isAbsolute(target) || target.includes('\0')) return false;
  const parts = target.split('/').filter((part) => part !== '' && part !== '.');
  const firstName = parts.findIndex((part) => part !== '..');
  if (firstName !== -1 && parts.slice(firstName).includes('..')) return false;
  const followed = resolve(dirname(linkPath), target);
  return followed === root || isStrictlyInside(root, followed);
}
