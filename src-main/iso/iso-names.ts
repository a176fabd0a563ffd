// ISO 9660 identifiers of authored files and directories (ECMA-119 7.4-7.6, 9.3). Stub: being written.
import type { IsoLevel } from '../../shared/authoring.ts';

/** ISO 9660 file identifiers of one directory's children, same order as given. */
export function isoNamesForDirectory(children: readonly { name: string; isDirectory: boolean; kept?: string }[], level: IsoLevel): string[] {
  void level;
  return children.map((child, index) => (child.isDirectory ? `D${index}` : `F${index}.;1`));
}

/** ECMA-119 8.4.6 volume identifier (d-characters, <= 32) from a label. */
export function isoVolumeIdentifier(label: string): string {
  return label.toUpperCase().slice(0, 32);
}

/** a-characters field (publisher, preparer, application: <= 128) */
export function isoACharacters(text: string, maxLength: number): string {
  return text.toUpperCase().slice(0, maxLength);
}

/** ECMA-119 9.3 ordering of identifiers within a directory (the writer sorts records with it). */
export function compareIsoIdentifiers(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
