// The vendored revocation data (resources/secureboot/, see its README): Microsoft's DBX image hashes per
// architecture and shim's newest SBAT level, each with the date of its newest entry, so a report can say
// how current the data it judged by is. Updating it is a file swap: the files are parsed once per process
// and again whenever either file's path, modification time or size changes (data loading, not a verdict:
// every loader is still judged from its own bytes in each run).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { secureBootDataFolder } from '../io/vendored-data.ts';
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
  /** What was skipped while reading the data (an architecture this version does not know), in words with the file's name. */
  readonly warnings: readonly string[];
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

/** The vendored data folder (io/vendored-data.ts): resources/secureboot/ from source, dist/secureboot/ beside the bundle. */
export function defaultRevocationsDir(): string {
  return secureBootDataFolder();
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

/**
 * Parses the DBX JSON (HashesJsonSchema.json): images.{x64,ia32,aarch64,arm}[].authenticodeHash of hashType
 * SHA256. An architecture key this version does not know (a newer file may add one) is skipped with a
 * warning: a data swap must not stop the check for the architectures it does know.
 */
export function parseDbx(text: string, fileName = DBX_FILE_NAME): Pick<Revocations, 'dbxSha256ByArchitecture' | 'dbxDate' | 'warnings'> {
  const document = JSON.parse(text) as { images?: Record<string, unknown>; certificates?: unknown; svns?: unknown };
  if (typeof document.images !== 'object' || document.images === null) throw invalid(fileName, 'has no "images" object');
  const byArchitecture = new Map<PeArchitecture, Set<string>>();
  const dates: unknown[] = [];
  const warnings: string[] = [];
  for (const [key, entries] of Object.entries(document.images)) {
    const architecture = ARCHITECTURE_BY_DBX_KEY.get(key);
    if (architecture === undefined) {
      const count = Array.isArray(entries) ? `${entries.length} entries` : 'its entries';
      warnings.push(
        `revocation data ${fileName}: architecture "${key.slice(0, 40)}" is not one of ${[...ARCHITECTURE_BY_DBX_KEY.keys()].join(', ')}: ${count} skipped`,
      );
      continue;
    }
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
  return { dbxSha256ByArchitecture: byArchitecture, dbxDate: newestDate(dates, fileName), warnings };
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

/** The data last parsed from a folder, with the identity of the files it was parsed from. */
const loadedByDir = new Map<string, { readonly filesKey: string; readonly revocations: Promise<Revocations> }>();

/**
 * Loads the DBX and SBAT level data from `dir` (the vendored copy by default). The 394 KB DBX JSON is
 * parsed once per process while both files keep their path, inode, change and modification times and size.
 */
export async function loadRevocations(dir: string = defaultRevocationsDir()): Promise<Revocations> {
  const dbxPath = join(dir, DBX_FILE_NAME);
  const sbatLevelPath = join(dir, SBAT_LEVEL_FILE_NAME);
  const [dbxStat, sbatLevelStat] = await Promise.all([stat(dbxPath), stat(sbatLevelPath)]);
  // The inode and change time too: a same-size file renamed into place keeping its modification time is another file.
  const filesKey = [dbxStat, sbatLevelStat].map((stats) => [stats.ino, stats.ctimeMs, stats.mtimeMs, stats.size].join(':')).join('|');
  const loaded = loadedByDir.get(dir);
  if (loaded?.filesKey === filesKey) return loaded.revocations;
  const revocations = readRevocations(dbxPath, sbatLevelPath);
  loadedByDir.set(dir, { filesKey, revocations });
  // A failed read is not kept: the next load reads the files again.
  revocations.catch(() => {
    if (loadedByDir.get(dir)?.revocations === revocations) loadedByDir.delete(dir);
  });
  return revocations;
}

async function readRevocations(dbxPath: string, sbatLevelPath: string): Promise<Revocations> {
  const [dbxText, sbatLevelText] = await Promise.all([readFile(dbxPath, 'utf8'), readFile(sbatLevelPath, 'utf8')]);
  return { ...parseDbx(dbxText), ...parseSbatLevel(sbatLevelText) };
}
