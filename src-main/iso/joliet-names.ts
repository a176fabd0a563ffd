// Joliet identifiers of authored files and directories (Joliet specification, Microsoft 1995). Stub: being written.

/** Joliet identifiers (UCS-2 as JS strings, files with ';1'), same order as given. */
export function jolietNamesForDirectory(children: readonly { name: string; isDirectory: boolean; kept?: string }[], options: { long: boolean }): string[] {
  void options;
  return children.map((child, index) => (child.isDirectory ? `d${index}` : `f${index};1`));
}

/** Sort order of Joliet identifiers (by UCS-2 code units, as ECMA-119 9.3 applies to the SVD). */
export function compareJolietIdentifiers(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** UCS-2 big-endian bytes of a Joliet identifier (no terminator). */
export function encodeUcs2(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let index = 0; index < text.length; index += 1) {
    bytes[index * 2] = text.charCodeAt(index) >> 8;
    bytes[index * 2 + 1] = text.charCodeAt(index) & 0xff;
  }
  return bytes;
}
