// ECMA-119 8.4 (Primary), 8.5 (Supplementary: Joliet, UCS-2 level 3, escape sequence %/E) and 8.3
// (Set Terminator) volume descriptors as the writer makes them. Reader: volume-descriptors.ts.
import { sectorBytes } from '../format/fields.ts';
import { writeAsciiField, writeBothEndianUint16, writeBothEndianUint32, writeUint32Be, writeUint32Le, writeVolumeDescriptorDate } from './field-writer.ts';
import { encodeUcs2 } from './joliet-names.ts';

const standardIdentifier = 'CD001';

/** ECMA-119 8.4.5-8.4.22: the text fields (authoring's VolumeIdentifiers has this shape). */
export interface DescriptorIdentifiers {
  readonly system: string;
  readonly volume: string;
  readonly volumeSet: string;
  readonly publisher: string;
  readonly preparer: string;
  readonly application: string;
}

export interface VolumeDescriptorWrite {
  /** 'joliet' writes a Supplementary Volume Descriptor with UCS-2 identifiers. */
  readonly kind: 'primary' | 'joliet';
  /** Already fitted to the namespace (d-/a-characters for the primary); Joliet's are cut to their field. */
  readonly ids: DescriptorIdentifiers;
  readonly volumeSpaceSizeSectors: number;
  readonly pathTableSizeBytes: number;
  readonly typeLPathTableLba: number;
  readonly typeMPathTableLba: number;
  /** The 34-byte record of the root directory (8.4.18). */
  readonly rootDirectoryRecord: Uint8Array;
  readonly recordedMs: number;
}

function writeHeader(sector: Uint8Array, type: number): void {
  sector[0] = type; // 8.1.1
  writeAsciiField(sector, 1, 5, standardIdentifier); // 8.1.2
  sector[6] = 1; // 8.1.3: version
}

/** UCS-2 big-endian text cut to `lengthBytes` (astral characters as '_': UCS-2 has no surrogates), padded with UCS-2 spaces. */
function writeUcs2Field(sector: Uint8Array, at: number, lengthBytes: number, text: string): void {
  const units = Array.from(text, (character) => (character.length > 1 ? '_' : character))
    .join('')
    .slice(0, Math.floor(lengthBytes / 2));
  for (let index = 0; index + 1 < lengthBytes; index += 2) {
    sector[at + index] = 0x00;
    sector[at + index + 1] = 0x20;
  }
  if (lengthBytes % 2 === 1) sector[at + lengthBytes - 1] = 0x20;
  sector.set(encodeUcs2(units), at);
}

/** A primary (8.4) or Joliet supplementary (8.5) volume descriptor sector. */
export function buildVolumeDescriptor(write: VolumeDescriptorWrite): Uint8Array {
  const sector = new Uint8Array(sectorBytes);
  const joliet = write.kind === 'joliet';
  writeHeader(sector, joliet ? 2 : 1);
  const text = (at: number, lengthBytes: number, value: string): void =>
    joliet ? writeUcs2Field(sector, at, lengthBytes, value) : writeAsciiField(sector, at, lengthBytes, value);
  text(8, 32, write.ids.system); // 8.4.5
  text(40, 32, write.ids.volume); // 8.4.6
  writeBothEndianUint32(sector, 80, write.volumeSpaceSizeSectors); // 8.4.8
  // 8.5.6: Joliet names its UCS-2 level in the escape sequences; level 3 ('%/E') as xorriso and mkisofs write.
  if (joliet) writeAsciiField(sector, 88, 3, '%/E');
  writeBothEndianUint16(sector, 120, 1); // 8.4.10: volume set size
  writeBothEndianUint16(sector, 124, 1); // 8.4.11: volume sequence number
  writeBothEndianUint16(sector, 128, sectorBytes); // 8.4.12: logical block size
  writeBothEndianUint32(sector, 132, write.pathTableSizeBytes); // 8.4.13
  writeUint32Le(sector, 140, write.typeLPathTableLba); // 8.4.14 (8.4.15: no optional table)
  writeUint32Be(sector, 148, write.typeMPathTableLba); // 8.4.16 (8.4.17: no optional table)
  sector.set(write.rootDirectoryRecord, 156); // 8.4.18
  text(190, 128, write.ids.volumeSet); // 8.4.19
  text(318, 128, write.ids.publisher); // 8.4.20
  text(446, 128, write.ids.preparer); // 8.4.21
  text(574, 128, write.ids.application); // 8.4.22
  // 8.4.23-8.4.25: no copyright, abstract or bibliographic file.
  text(702, 37, '');
  text(739, 37, '');
  text(776, 37, '');
  writeVolumeDescriptorDate(sector, 813, write.recordedMs); // 8.4.26: creation
  writeVolumeDescriptorDate(sector, 830, write.recordedMs); // 8.4.27: modification
  writeVolumeDescriptorDate(sector, 847, null); // 8.4.28: never expires
  writeVolumeDescriptorDate(sector, 864, write.recordedMs); // 8.4.29: effective from creation
  sector[881] = 1; // 8.4.31: file structure version
  return sector;
}

/** ECMA-119 8.3: the Volume Descriptor Set Terminator. */
export function buildVolumeDescriptorSetTerminator(): Uint8Array {
  const sector = new Uint8Array(sectorBytes);
  writeHeader(sector, 255);
  return sector;
}
