// The vendored revocation data (resources/secureboot/, see its README): Microsoft's DBX image hashes per
// architecture and shim's newest SBAT level, each with the date of its newest entry, so a report can say
// how current the data it judged by is. Read from the files on each load, never from a cache.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PeArchitecture } from './pe-image.ts';

export interface Revocations {
  /** Lower-case hex Authenticode SHA-256 of each revoked image, by the architecture it runs on. */
  readonly dbxSha256ByArchitecture: ReadonlyMap<PeArchitecture, ReadonlySet<string>>;
  /** The newest date (YYYY-MM-DD) an entry of the DBX file carries. */
  readonly dbxDate: string;
  /** The minimum generation shim accepts per SBAT component. */
  readonly sbatLevel: ReadonlyMap<string, number>;
  /** The date (YYYY-MM-DD) of the newest SBAT level. */
  readonly sbatLevelDate: string;
}

export const DBX_FILE_NAME = 'dbx_info_msft_latest.json';
export const SBAT_LEVEL_FILE_NAME = 'SbatLevel_Variable.txt';

/** The DBX file's architecture keys (HashesJsonSchema.json "images") and ours. */
const ARCHITECTURE_BY_DBX_KEY: ReadonlyMap<string, PeArchitecture> = new Map<string, PeArchitecture>([
  ['x64', 'x64'],
  ['ia32', 'ia32'],
  ['aarch64', 'aa64'],
  ['arm', 'arm'],
]);
const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** An SBAT level header, `sbat,1,YYYYMMDDNN` (SbatLevel_Variable.txt). */
const SBAT_LEVEL_HEADER_PATTERN = /^sbat,1,(\d{4})(\d{2})(\d{2})\d{2}$/;
const SBAT_LEVEL_LINE_PATTERN = /^([A-Za-z0-9._-]+),(\d{1,9})$/;

/** resources/secureboot/ from the source tree; dist/secureboot/ beside the bundle (scripts/build.js copies it). */
export function defaultRevocationsDir(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(fromSource ? '../../resources/secureboot/' : '../secureboot/', import.meta.url));
}

function invalid(fileName: string, what: string): Error {
  return new Error(`revocation data ${fileName}: ${what}`);
}

interface DbxEntry {
  readonly authenticodeHash?: unknown;
  readonly hashType?: unknown;
  readonly dateOfAddition?: unknown;
  readonly dateOfLastChange?: unknown;
}

function newestDate(dates: readonly unknown[], fileName: string): string {
  const valid = dates.filter((date): date is string => typeof date === 'string' && DATE_PATTERN.test(date));
  if (valid.length === 0) throw invalid(fileName, 'no entry carries a date');
  return valid.reduce((newest, date) => (date > newest ? date : newest));
}

/** Parses the DBX JSON (HashesJsonSchema.json): images.{x64,ia32,aarch64,arm}[].authenticodeHash of hashType SHA256. */
export function parseDbx(text: string, fileName = DBX_FILE_NAME): Pick<Revocations, 'dbxSha256ByArchitecture' | 'dbxDate'> {
  const document = JSON.parse(text) as { images?: Record<string, unknown>; certificates?: unknown; svns?: unknown };
  if (typeof document.images !== 'object' || document.images === null) throw invalid(fileName, 'has no "images" object');
  const byArchitecture = new Map<PeArchitecture, Set<string>>();
  const dates: unknown[] = [];
  for (const [key, entries] of Object.entries(document.images)) {
    const architecture = ARCHITECTURE_BY_DBX_KEY.get(key);
    if (architecture === undefined) throw invalid(fileName, `architecture "${key}" is not one of ${[...ARCHITECTURE_BY_DBX_KEY.keys()].join(', ')}`);
    if (!Array.isArray(entries)) throw invalid(fileName, `images.${key} is not an array`);
    const hashes = new Set<string>();
    (entries as DbxEntry[]).forEach((entry, index) => {
      const hash = typeof entry.authenticodeHash === 'string' ? entry.authenticodeHash.toLowerCase() : '';
      if (entry.hashType !== 'SHA256' || !SHA256_HEX_PATTERN.test(hash))
        throw invalid(fileName, `images.${key}[${index}] is not a SHA256 authenticodeHash of 64 hex digits`);
      hashes.add(hash);
      dates.push(entry.dateOfAddition);
    });
    byArchitecture.set(architecture, hashes);
  }
  for (const list of [document.certificates, document.svns]) {
    if (Array.isArray(list)) for (const entry of list as DbxEntry[]) dates.push(entry.dateOfAddition, entry.dateOfLastChange);
  }
  return { dbxSha256ByArchitecture: byArchitecture, dbxDate: newestDate(dates, fileName) };
}

/** Parses SbatLevel_Variable.txt: the last `sbat,1,DATE` block (its `component,generation` lines up to a blank line) is the newest level. */
export function parseSbatLevel(text: string, fileName = SBAT_LEVEL_FILE_NAME): Pick<Revocations, 'sbatLevel' | 'sbatLevelDate'> {
  const lines = text.split('\n').map((line) => line.trim());
  const headerIndex = lines.findLastIndex((line) => SBAT_LEVEL_HEADER_PATTERN.test(line));
  if (headerIndex === -1) throw invalid(fileName, 'has no "sbat,1,YYYYMMDDNN" level');
  const [, year, month, day] = SBAT_LEVEL_HEADER_PATTERN.exec(lines[headerIndex]!)!;
  const sbatLevel = new Map<string, number>();
  for (let index = headerIndex + 1; index < lines.length && lines[index] !== ''; index++) {
    const match = SBAT_LEVEL_LINE_PATTERN.exec(lines[index]!);
    if (match === null) throw invalid(fileName, `line ${index + 1} "${lines[index]!.slice(0, 40)}" is not "component,generation"`);
    sbatLevel.set(match[1]!, Number(match[2]));
  }
  if (sbatLevel.size === 0) throw invalid(fileName, `the level at line ${headerIndex + 1} names no component`);
  return { sbatLevel, sbatLevelDate: `${year}-${month}-${day}` };
}

/** Loads the DBX and SBAT level data from `dir` (the vendored copy by default). */
export async function loadRevocations(dir: string = defaultRevocationsDir()): Promise<Revocations> {
  const [dbxText, sbatLevelText] = await Promise.all([readFile(join(dir, DBX_FILE_NAME), 'utf8'), readFile(join(dir, SBAT_LEVEL_FILE_NAME), 'utf8')]);
  return { ...parseDbx(dbxText), ...parseSbatLevel(sbatLevelText) };
}
