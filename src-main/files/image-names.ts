// What a file's name says to the in-app file dialog (issue 17): an image Isotope opens, or an OpenPGP
// key file. A hint for filtering the list only: what a chosen file is gets decided by reading its
// bytes when it is opened (image:open, keys:import), never by its name.
import { extname } from 'node:path';

/**
 * The containers and raw images image:open reads (open-image-source.ts: .cue sheets, Nero .nrg, and
 * plain ISO 9660/UDF/disk images under any of the usual names), and the compressed forms it reads or
 * unpacks (compression/detect-compression.ts). Electron's native dialog offers the same list.
 */
export const imageFileExtensions: readonly string[] = ['iso', 'img', 'raw', 'bin', 'cue', 'nrg', 'udf', 'gz', 'xz', 'bz2', 'zst', 'zip'];

/** Armored (.asc) and binary (.gpg, .pgp) OpenPGP files, and the names keys are published under. */
export const keyFileExtensions: readonly string[] = ['asc', 'gpg', 'pgp', 'key', 'pub'];

export function looksLikeImageName(name: string): boolean {
  return imageFileExtensions.includes(extensionOf(name));
}

export function looksLikeKeyName(name: string): boolean {
  return keyFileExtensions.includes(extensionOf(name));
}

/** The last extension, lower-case, without its dot ('Debian.ISO' -> 'iso', '.bashrc' -> ''). */
function extensionOf(name: string): string {
  return extname(name).slice(1).toLowerCase();
}
