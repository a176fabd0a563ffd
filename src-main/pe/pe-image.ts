// The PE/COFF headers of an EFI executable (Microsoft "PE Format", sections "MS-DOS Stub", "Signature",
// "COFF File Header", "Optional Header", "Section Table"): what the Authenticode hash, the signature walk
// and the .sbat reader need. Untrusted input: every offset and count is checked against the file and the
// headers before it is used, and the reader touches at most the headers (under 70 KiB), whatever the file.
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';

export type PeArchitecture = 'x64' | 'ia32' | 'aa64' | 'arm' | 'riscv64' | 'unknown';

export interface PeSection {
  /** The section's name; a longer one than 8 bytes read from the COFF string table, as GNU ld writes (".sbatlevel"). */
  readonly name: string;
  readonly virtualAddress: number;
  readonly virtualSizeBytes: number;
  readonly rawOffsetBytes: number;
  readonly rawSizeBytes: number;
}

export interface PeImage {
  readonly machine: number;
  readonly architecture: PeArchitecture;
  readonly isPe32Plus: boolean;
  /** OptionalHeader.SizeOfHeaders: the headers and section table, as the file lays them out. */
  readonly headersSizeBytes: number;
  /** File offset of OptionalHeader.CheckSum, which the Authenticode hash skips. */
  readonly checksumOffsetBytes: number;
  /**
   * File offset of the Certificate Table data directory entry (8 bytes), which the Authenticode hash skips;
   * null when NumberOfRvaAndSizes leaves the entry out (the image then carries no signature).
   */
  readonly certificateEntryOffsetBytes: number | null;
  /** The attribute certificate table (its "RVA" is a file offset, PE Format "The Attribute Certificate Table"); null when empty. */
  readonly certificateTable: { readonly offsetBytes: number; readonly sizeBytes: number } | null;
  readonly sections: readonly PeSection[];
}

const DOS_HEADER_SIZE_BYTES = 64;
const LFANEW_OFFSET_BYTES = 0x3c;
const COFF_HEADER_SIZE_BYTES = 20;
const SECTION_HEADER_SIZE_BYTES = 40;
/** PE Format, COFF File Header: "the Windows loader limits the number of sections to 96". */
export const MAX_SECTIONS = 96;
const PE32_MAGIC = 0x10b;
const PE32_PLUS_MAGIC = 0x20b;
/** Data directory index 4 is the Certificate Table (PE Format, "Optional Header Data Directories"). */
const CERTIFICATE_DIRECTORY_INDEX = 4;

/** IMAGE_FILE_MACHINE_* values (PE Format, "Machine Types") of the architectures UEFI defines. */
const ARCHITECTURE_BY_MACHINE: ReadonlyMap<number, PeArchitecture> = new Map<number, PeArchitecture>([
  [0x8664, 'x64'],
  [0x014c, 'ia32'],
  [0xaa64, 'aa64'],
  [0x01c0, 'arm'],
  [0x01c2, 'arm'],
  [0x01c4, 'arm'],
  [0x5064, 'riscv64'],
]);

function corrupt(source: ByteSource, what: string, offsetBytes: number): CorruptImageError {
  return new CorruptImageError(`${source.name}: PE image ${what} (at offset ${offsetBytes})`, { offsetBytes });
}

/** Field offsets inside the optional header that differ between PE32 and PE32+. */
function optionalHeaderLayout(isPe32Plus: boolean): { numberOfRvaAndSizes: number; dataDirectories: number } {
  return isPe32Plus ? { numberOfRvaAndSizes: 108, dataDirectories: 112 } : { numberOfRvaAndSizes: 92, dataDirectories: 96 };
}

async function readLfanew(source: ByteSource): Promise<number> {
  if (source.sizeBytes < DOS_HEADER_SIZE_BYTES) {
    throw corrupt(source, `is ${source.sizeBytes} bytes, smaller than the ${DOS_HEADER_SIZE_BYTES}-byte MS-DOS header`, 0);
  }
  const dos = await source.read(0, DOS_HEADER_SIZE_BYTES);
  if (dos[0] !== 0x4d || dos[1] !== 0x5a) throw corrupt(source, 'has no MZ signature in its MS-DOS header', 0);
  const lfanew = new DataView(dos.buffer, dos.byteOffset, dos.byteLength).getUint32(LFANEW_OFFSET_BYTES, true);
  if (lfanew + 4 + COFF_HEADER_SIZE_BYTES > source.sizeBytes) {
    throw corrupt(source, `e_lfanew ${lfanew} points past the end of the ${source.sizeBytes}-byte file`, LFANEW_OFFSET_BYTES);
  }
  return lfanew;
}

/** Reads the section table and checks each section's raw data lies in the file, after the headers, overlapping no other. */
function readSections(source: ByteSource, table: DataView, tableOffsetBytes: number, count: number, headersSizeBytes: number): PeSection[] {
  const sections: PeSection[] = [];
  for (let index = 0; index < count; index++) {
    const at = index * SECTION_HEADER_SIZE_BYTES;
    const nameBytes = new Uint8Array(table.buffer, table.byteOffset + at, 8);
    const nameEnd = nameBytes.indexOf(0);
    const name = String.fromCharCode(...nameBytes.subarray(0, nameEnd === -1 ? 8 : nameEnd));
    const section: PeSection = {
      name,
      virtualSizeBytes: table.getUint32(at + 8, true),
      virtualAddress: table.getUint32(at + 12, true),
      rawSizeBytes: table.getUint32(at + 16, true),
      rawOffsetBytes: table.getUint32(at + 20, true),
    };
    const fieldOffsetBytes = tableOffsetBytes + at + 16;
    if (section.rawSizeBytes > 0) {
      const endBytes = section.rawOffsetBytes + section.rawSizeBytes;
      if (endBytes > source.sizeBytes) {
        throw corrupt(
          source,
          `section ${index} (${name}) raw data [${section.rawOffsetBytes}, ${endBytes}) ends past the ${source.sizeBytes}-byte file`,
          fieldOffsetBytes,
        );
      }
      if (section.rawOffsetBytes < headersSizeBytes) {
        throw corrupt(
          source,
          `section ${index} (${name}) raw data at ${section.rawOffsetBytes} overlaps the ${headersSizeBytes} bytes of headers`,
          fieldOffsetBytes,
        );
      }
    }
    sections.push(section);
  }
  assertNoOverlap(source, sections, tableOffsetBytes);
  return sections;
}

/** Two sections sharing raw bytes would be hashed twice by Authenticode: refused as hostile. */
function assertNoOverlap(source: ByteSource, sections: readonly PeSection[], tableOffsetBytes: number): void {
  const withData = sections.filter((section) => section.rawSizeBytes > 0).sort((a, b) => a.rawOffsetBytes - b.rawOffsetBytes);
  for (let index = 1; index < withData.length; index++) {
    const previous = withData[index - 1]!;
    const current = withData[index]!;
    if (current.rawOffsetBytes < previous.rawOffsetBytes + previous.rawSizeBytes) {
      throw corrupt(
        source,
        `sections ${previous.name} [${previous.rawOffsetBytes}, ${previous.rawOffsetBytes + previous.rawSizeBytes}) and ${current.name} (at ${current.rawOffsetBytes}) overlap`,
        tableOffsetBytes,
      );
    }
  }
}

/** The certificate table entry: null when empty, else it must lie in the file after the headers. */
function certificateTableOf(
  source: ByteSource,
  offsetBytes: number,
  sizeBytes: number,
  headersSizeBytes: number,
  entryOffsetBytes: number,
): PeImage['certificateTable'] {
  if (offsetBytes === 0 && sizeBytes === 0) return null;
  if (offsetBytes < headersSizeBytes || offsetBytes + sizeBytes > source.sizeBytes) {
    throw corrupt(
      source,
      `certificate table [${offsetBytes}, ${offsetBytes + sizeBytes}) lies outside the file after the headers (${headersSizeBytes} to ${source.sizeBytes} bytes)`,
      entryOffsetBytes,
    );
  }
  return { offsetBytes, sizeBytes };
}

/**
 * Authenticode leaves the certificate table out of the hash and hashes every section's raw data: a table
 * over section bytes would let signed code and unsigned signature data share bytes. Refused as hostile.
 */
function assertCertificateTableApart(
  source: ByteSource,
  certificateTable: PeImage['certificateTable'],
  sections: readonly PeSection[],
  entryOffsetBytes: number,
): void {
  if (!certificateTable) return;
  const tableEndBytes = certificateTable.offsetBytes + certificateTable.sizeBytes;
  for (const section of sections) {
    const sectionEndBytes = section.rawOffsetBytes + section.rawSizeBytes;
    if (section.rawSizeBytes > 0 && certificateTable.offsetBytes < sectionEndBytes && section.rawOffsetBytes < tableEndBytes) {
      throw corrupt(
        source,
        `certificate table [${certificateTable.offsetBytes}, ${tableEndBytes}) overlaps section ${section.name} [${section.rawOffsetBytes}, ${sectionEndBytes})`,
        entryOffsetBytes,
      );
    }
  }
}

/** COFF symbol table records are 18 bytes; the string table follows them (PE Format, "COFF String Table"). */
const SYMBOL_RECORD_SIZE_BYTES = 18;
const MAX_LONG_NAME_BYTES = 64;
const LONG_NAME_PATTERN = /^\/(\d{1,7})$/;

/**
 * Replaces "/offset" names (PE Format, Section Table "Name": a longer name lives in the string table) by
 * the string there. Images are not meant to carry a string table, so a name that cannot be read stays as
 * the table holds it: it is a label, never a bound.
 */
async function resolveLongNames(source: ByteSource, sections: readonly PeSection[], coff: DataView): Promise<PeSection[]> {
  const stringTableOffsetBytes = coff.getUint32(8, true) + coff.getUint32(12, true) * SYMBOL_RECORD_SIZE_BYTES;
  const resolved: PeSection[] = [];
  for (const section of sections) {
    const match = LONG_NAME_PATTERN.exec(section.name);
    const nameOffsetBytes = match === null || coff.getUint32(8, true) === 0 ? -1 : stringTableOffsetBytes + Number(match[1]);
    if (nameOffsetBytes < 0 || nameOffsetBytes >= source.sizeBytes) {
      resolved.push(section);
      continue;
    }
    const bytes = await source.read(nameOffsetBytes, Math.min(MAX_LONG_NAME_BYTES, source.sizeBytes - nameOffsetBytes));
    const end = bytes.indexOf(0);
    resolved.push(end > 0 ? { ...section, name: String.fromCharCode(...bytes.subarray(0, end)) } : section);
  }
  return resolved;
}

/** Reads and checks the PE/COFF headers of an EFI executable. Throws CorruptImageError naming the field and its offset. */
export async function readPeImage(source: ByteSource): Promise<PeImage> {
  const lfanew = await readLfanew(source);
  const signature = await source.read(lfanew, 4 + COFF_HEADER_SIZE_BYTES);
  if (signature[0] !== 0x50 || signature[1] !== 0x45 || signature[2] !== 0 || signature[3] !== 0) {
    throw corrupt(source, 'has no PE\\0\\0 signature where e_lfanew points', lfanew);
  }
  const coff = new DataView(signature.buffer, signature.byteOffset + 4, COFF_HEADER_SIZE_BYTES);
  const machine = coff.getUint16(0, true);
  const sectionCount = coff.getUint16(2, true);
  const optionalHeaderSizeBytes = coff.getUint16(16, true);
  if (sectionCount > MAX_SECTIONS) throw corrupt(source, `NumberOfSections ${sectionCount} exceeds the ${MAX_SECTIONS} the PE format allows`, lfanew + 6);
  const optionalOffsetBytes = lfanew + 4 + COFF_HEADER_SIZE_BYTES;
  const tableOffsetBytes = optionalOffsetBytes + optionalHeaderSizeBytes;
  const headersEndBytes = tableOffsetBytes + sectionCount * SECTION_HEADER_SIZE_BYTES;
  if (headersEndBytes > source.sizeBytes) {
    throw corrupt(
      source,
      `optional header (${optionalHeaderSizeBytes} bytes) and section table (${sectionCount} sections) end at ${headersEndBytes}, past the ${source.sizeBytes}-byte file`,
      lfanew + 4,
    );
  }
  const headerBytes = await source.read(optionalOffsetBytes, headersEndBytes - optionalOffsetBytes);
  const optional = new DataView(headerBytes.buffer, headerBytes.byteOffset, optionalHeaderSizeBytes);
  const magic = optionalHeaderSizeBytes >= 2 ? optional.getUint16(0, true) : 0;
  if (magic !== PE32_MAGIC && magic !== PE32_PLUS_MAGIC)
    throw corrupt(source, `optional header magic 0x${magic.toString(16)} is neither PE32 (0x10b) nor PE32+ (0x20b)`, optionalOffsetBytes);
  const isPe32Plus = magic === PE32_PLUS_MAGIC;
  const layout = optionalHeaderLayout(isPe32Plus);
  if (optionalHeaderSizeBytes < layout.numberOfRvaAndSizes + 4) {
    throw corrupt(
      source,
      `optional header of ${optionalHeaderSizeBytes} bytes is too small for NumberOfRvaAndSizes at ${layout.numberOfRvaAndSizes}`,
      lfanew + 20,
    );
  }
  const directoryCount = optional.getUint32(layout.numberOfRvaAndSizes, true);
  // PE Format, "Optional Header Data Directories": only NumberOfRvaAndSizes entries exist. With 4 or fewer
  // there is no Certificate Table entry: the image is unsigned, and its hash skips no entry (EDK2
  // DxeImageVerificationLib HashPeImage, "there is no Cert Directory in optional header").
  const hasCertificateEntry = directoryCount > CERTIFICATE_DIRECTORY_INDEX;
  const certificateEntryAt = layout.dataDirectories + CERTIFICATE_DIRECTORY_INDEX * 8;
  if (hasCertificateEntry && optionalHeaderSizeBytes < certificateEntryAt + 8) {
    throw corrupt(
      source,
      `optional header of ${optionalHeaderSizeBytes} bytes is too small for the Certificate Table entry at ${certificateEntryAt} (NumberOfRvaAndSizes ${directoryCount})`,
      lfanew + 20,
    );
  }
  const headersSizeBytes = optional.getUint32(60, true);
  if (headersSizeBytes < headersEndBytes || headersSizeBytes > source.sizeBytes) {
    throw corrupt(
      source,
      `SizeOfHeaders ${headersSizeBytes} is not between the section table's end (${headersEndBytes}) and the file's size (${source.sizeBytes})`,
      optionalOffsetBytes + 60,
    );
  }
  const certificateEntryOffsetBytes = hasCertificateEntry ? optionalOffsetBytes + certificateEntryAt : null;
  const table = new DataView(headerBytes.buffer, headerBytes.byteOffset + optionalHeaderSizeBytes, sectionCount * SECTION_HEADER_SIZE_BYTES);
  const sections = readSections(source, table, tableOffsetBytes, sectionCount, headersSizeBytes);
  const certificateTable =
    certificateEntryOffsetBytes === null
      ? null
      : certificateTableOf(
          source,
          optional.getUint32(certificateEntryAt, true),
          optional.getUint32(certificateEntryAt + 4, true),
          headersSizeBytes,
          certificateEntryOffsetBytes,
        );
  if (certificateEntryOffsetBytes !== null) assertCertificateTableApart(source, certificateTable, sections, certificateEntryOffsetBytes);
  return {
    machine,
    architecture: ARCHITECTURE_BY_MACHINE.get(machine) ?? 'unknown',
    isPe32Plus,
    headersSizeBytes,
    checksumOffsetBytes: optionalOffsetBytes + 64,
    certificateEntryOffsetBytes,
    certificateTable,
    sections: await resolveLongNames(source, sections, coff),
  };
}
