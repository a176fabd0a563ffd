// The .sbat section of an EFI loader (shim's SBAT.md, "SBAT metadata"): CSV lines
// `component_name,component_generation,vendor_name,vendor_package_name,vendor_version,vendor_url`,
// the first normally `sbat,1,...` naming the format's own version. shim stops at the first NUL (the
// section is padded with zeros to its alignment) and refuses a line with fewer than 6 fields.
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import type { PeImage } from './pe-image.ts';

export interface SbatEntry {
  readonly component: string;
  readonly generation: number;
  readonly vendor: string;
  readonly package: string;
  readonly version: string;
  readonly url: string;
}

/** Real .sbat sections are a few hundred bytes; a larger one is refused rather than read. */
export const MAX_SBAT_SECTION_BYTES = 64 * 1024;
const SBAT_FIELD_COUNT = 6;
const GENERATION_PATTERN = /^\d{1,9}$/;

/** Parses SBAT CSV text; `where` names the section for errors (line numbers count from 1). */
export function parseSbat(text: string, where: string): readonly SbatEntry[] {
  const nulAt = text.indexOf('\0');
  const lines = (nulAt === -1 ? text : text.slice(0, nulAt)).split('\n');
  const entries: SbatEntry[] = [];
  lines.forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') return;
    const fields = line.split(',');
    if (fields.length < SBAT_FIELD_COUNT) {
      throw new CorruptImageError(`${where}: SBAT line ${index + 1} has ${fields.length} fields, fewer than ${SBAT_FIELD_COUNT}`, { line: index + 1 });
    }
    const [component, generation, vendor, packageName, version, url] = fields as [string, string, string, string, string, string];
    if (!GENERATION_PATTERN.test(generation)) {
      throw new CorruptImageError(`${where}: SBAT line ${index + 1} has generation "${generation.slice(0, 20)}", not a decimal number`, { line: index + 1 });
    }
    entries.push({ component, generation: Number(generation), vendor, package: packageName, version, url });
  });
  return entries;
}

/** The entries of the loader's .sbat section, or null when it has none. */
export async function readSbat(source: ByteSource, image: PeImage): Promise<readonly SbatEntry[] | null> {
  const section = image.sections.find((candidate) => candidate.name === '.sbat');
  if (section === undefined) return null;
  // The raw data is padded to FileAlignment; VirtualSize is the data's own size when it is smaller.
  const sizeBytes = section.virtualSizeBytes > 0 ? Math.min(section.virtualSizeBytes, section.rawSizeBytes) : section.rawSizeBytes;
  if (sizeBytes > MAX_SBAT_SECTION_BYTES) {
    throw new CorruptImageError(
      `${source.name}: .sbat section of ${sizeBytes} bytes at offset ${section.rawOffsetBytes} exceeds the ${MAX_SBAT_SECTION_BYTES}-byte limit`,
      {
        offsetBytes: section.rawOffsetBytes,
      },
    );
  }
  const bytes = await source.read(section.rawOffsetBytes, sizeBytes);
  return parseSbat(new TextDecoder('utf-8').decode(bytes), `${source.name} .sbat section at offset ${section.rawOffsetBytes}`);
}
