// Runs `xorriso -indev IMG -report_el_torito plain -report_system_area plain` and parses its lines into
// plain data, so tests compare Isotope's boot report with xorriso's field by field.
import { execFileSync } from 'node:child_process';

export interface XorrisoBootImage {
  readonly index: number;
  readonly platform: string; // BIOS, UEFI, PPC, Mac or 0x..
  readonly bootable: boolean;
  readonly emulation: string; // none, fd1.2, fd1.4, fd2.8, hd
  readonly loadSegment: number;
  readonly systemType: number;
  readonly sectorCount: number;
  readonly imageLba: number;
  readonly options: readonly string[];
  /** "El Torito img path": the ISO path xorriso found for the image, if any. */
  readonly path: string | null;
}

export interface XorrisoGptPartition {
  index: number;
  name?: string;
  partitionGuidHex?: string;
  typeGuidHex?: string;
  flags?: string;
  start?: number;
  size?: number;
}

export interface XorrisoApmPartition {
  index: number;
  name?: string;
  type?: string;
  start?: number;
  size?: number;
}

export interface XorrisoReport {
  readonly catalogLba: number | null;
  readonly bootImages: readonly XorrisoBootImage[];
  readonly summary: readonly string[];
  readonly mbrPartitions: readonly { index: number; status: number; type: number; start: number; blocks: number }[];
  readonly gptDiskGuidHex: string | null;
  readonly gptEntryArray: { readonly lba: number; readonly count: number } | null;
  readonly gptLbaRange: { readonly firstUsable: number; readonly lastUsable: number; readonly backupHeader: number } | null;
  readonly gptPartitions: readonly XorrisoGptPartition[];
  readonly apmBlockSize: number | null;
  readonly apmPartitions: readonly XorrisoApmPartition[];
}

export function runXorrisoReport(imagePath: string): XorrisoReport {
  const output = execFileSync('xorriso', ['-indev', imagePath, '-report_el_torito', 'plain', '-report_system_area', 'plain'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseXorrisoReport(output);
}

export function parseXorrisoReport(output: string): XorrisoReport {
  let catalogLba: number | null = null;
  const images = new Map<number, XorrisoBootImage>();
  const options = new Map<number, string[]>();
  const paths = new Map<number, string>();
  let summary: string[] = [];
  const mbrPartitions: { index: number; status: number; type: number; start: number; blocks: number }[] = [];
  let gptDiskGuidHex: string | null = null;
  let gptEntryArray: { lba: number; count: number } | null = null;
  let gptLbaRange: { firstUsable: number; lastUsable: number; backupHeader: number } | null = null;
  const gpt = new Map<number, XorrisoGptPartition>();
  let apmBlockSize: number | null = null;
  const apm = new Map<number, XorrisoApmPartition>();
  const gptEntry = (index: number): XorrisoGptPartition => gpt.get(index) ?? (gpt.set(index, { index }).get(index) as XorrisoGptPartition);
  const apmEntry = (index: number): XorrisoApmPartition => apm.get(index) ?? (apm.set(index, { index }).get(index) as XorrisoApmPartition);

  for (const line of output.split('\n')) {
    // "Key padded to 19 columns: values"; keys hold no colon, values may.
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const rest = line.slice(colon + 1).trim();
    const words = rest.split(/\s+/);
    const n = (at: number): number => Number(words[at]);
    switch (key) {
      case 'El Torito catalog':
        catalogLba = n(0);
        break;
      case 'El Torito boot img':
        images.set(n(0), {
          index: n(0),
          platform: words[1] ?? '',
          bootable: words[2] === 'y',
          emulation: words[3] ?? '',
          loadSegment: Number.parseInt(words[4] ?? '', 16),
          systemType: Number.parseInt(words[5] ?? '', 16),
          sectorCount: n(6),
          imageLba: n(7),
          options: [],
          path: null,
        });
        break;
      case 'El Torito img path':
        paths.set(n(0), rest.replace(/^\d+\s+/, ''));
        break;
      case 'El Torito img opts':
        options.set(n(0), words.slice(1));
        break;
      case 'System area summary':
        summary = words;
        break;
      case 'MBR partition':
        mbrPartitions.push({ index: n(0), status: Number.parseInt(words[1] ?? '', 16), type: Number.parseInt(words[2] ?? '', 16), start: n(3), blocks: n(4) });
        break;
      case 'GPT disk GUID':
        gptDiskGuidHex = words[0] ?? null;
        break;
      case 'GPT entry array':
        gptEntryArray = { lba: n(0), count: n(1) };
        break;
      case 'GPT lba range':
        gptLbaRange = { firstUsable: n(0), lastUsable: n(1), backupHeader: n(2) };
        break;
      case 'GPT partname local':
        gptEntry(n(0)).name = rest.replace(/^\d+\s+/, '');
        break;
      case 'GPT partition GUID':
        gptEntry(n(0)).partitionGuidHex = words[1] ?? '';
        break;
      case 'GPT type GUID':
        gptEntry(n(0)).typeGuidHex = words[1] ?? '';
        break;
      case 'GPT partition flags':
        gptEntry(n(0)).flags = words[1] ?? '';
        break;
      case 'GPT start and size':
        Object.assign(gptEntry(n(0)), { start: n(1), size: n(2) });
        break;
      case 'APM block size':
        apmBlockSize = n(0);
        break;
      case 'APM partition name':
        apmEntry(n(0)).name = rest.replace(/^\d+\s+/, '');
        break;
      case 'APM partition type':
        apmEntry(n(0)).type = words[1] ?? '';
        break;
      case 'APM start and size':
        Object.assign(apmEntry(n(0)), { start: n(1), size: n(2) });
        break;
      default:
        break;
    }
  }
  const bootImages = [...images.values()].map((image) => ({ ...image, options: options.get(image.index) ?? [], path: paths.get(image.index) ?? null }));
  return {
    catalogLba,
    bootImages,
    summary,
    mbrPartitions,
    gptDiskGuidHex,
    gptEntryArray,
    gptLbaRange,
    gptPartitions: [...gpt.values()],
    apmBlockSize,
    apmPartitions: [...apm.values()],
  };
}

/** xorriso prints GUIDs as their 16 on-disk bytes in hex; this gives the canonical text form. */
export function guidFromDiskHex(hex: string): string {
  const bytes = hex.match(/../g) ?? [];
  const pick = (indices: number[]): string => indices.map((index) => bytes[index] ?? '').join('');
  return [pick([3, 2, 1, 0]), pick([5, 4]), pick([7, 6]), pick([8, 9]), pick([10, 11, 12, 13, 14, 15])].join('-').toUpperCase();
}

/** Start LBA -> ISO path of every file, from `xorriso -find / -type f -exec report_lba`. */
export function runXorrisoFileLbas(imagePath: string): Map<number, string> {
  const output = execFileSync('xorriso', ['-indev', imagePath, '-find', '/', '-type', 'f', '-exec', 'report_lba', '--'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lbas = new Map<number, string>();
  for (const match of output.matchAll(/^File data lba:\s*\d+\s*,\s*(\d+)\s*,.*?'(.*)'$/gm)) lbas.set(Number(match[1]), match[2] ?? '');
  return lbas;
}
