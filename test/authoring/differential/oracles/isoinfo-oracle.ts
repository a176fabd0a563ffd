// isoinfo (genisoimage's, a reader independent of libisofs): `isoinfo -l [-R]` lists every directory,
// and `isoinfo -x PATH` writes one file's bytes (run per file, so only for trees of at most
// `maxFilesToExtract` files). Rock Ridge and plain ISO 9660 only: isoinfo converts Joliet names to an
// 8-bit charset (no UTF-8 among its -j choices), so CJK and emoji names would arrive mangled by the
// reader, not the writer. Its owner columns are not read: isoinfo 1.1.11 prints a uid/gid above 255
// wrongly (1234 as 2322), a reader bug that would blame any writer; and its mode column has no letters
// for setuid, setgid and sticky, so only the rwx bits are compared.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { kindOfTypeLetter, modeOfPermissionString, runOracleTool, withoutVersion, type EntryField, type Oracle, type OracleEntry } from './oracle.ts';

export const maxFilesToExtract = 100;

// Links, uid, gid, size; isoinfo runs uid and gid together when they are wide, so the size is the last number.
const entryLine = /^(\S)(\S{9})(?:\s+\d+){2,3}\s+(\d+)\s+\w{3}\s+\d+\s+\d+\s+\[\s*(\d+)\s+\d+\]\s\s(.*)$/s;

/** Parses `isoinfo -l` output: 'Directory listing of /dir/' headers, then one line per record ('.' and '..' skipped). */
export function parseIsoinfoListing(output: string, options: { rockRidge: boolean }): { entries: OracleEntry[]; rawNames: string[] } {
  const entries: OracleEntry[] = [];
  const rawNames: string[] = [];
  let directory = '/';
  for (const line of output.split('\n')) {
    if (line.startsWith('Directory listing of ')) {
      directory = line.slice('Directory listing of '.length);
      continue;
    }
    const match = entryLine.exec(line);
    if (!match) continue;
    const [, type, permissions, size, lba, rest] = match as unknown as string[];
    // A symlink's line is 'name -> target'; every other name is followed by one space.
    const arrow = type === 'l' && options.rockRidge ? (rest as string).indexOf(' -> ') : -1;
    const rawName = arrow >= 0 ? (rest as string).slice(0, arrow) : (rest as string).replace(/ $/, '');
    if (rawName === '.' || rawName === '..') continue;
    const name = options.rockRidge ? rawName : withoutVersion(rawName);
    rawNames.push(rawName);
    const entry: OracleEntry = {
      path: `${directory}${name}`,
      kind: options.rockRidge ? kindOfTypeLetter(type as string) : type === 'd' ? 'directory' : 'file',
    };
    // isoinfo prints rwx only (no setuid, setgid or sticky letters): the permission bits it can show.
    if (options.rockRidge) entry.mode = modeOfPermissionString(`${type}${permissions}`) & 0o777;
    if (entry.kind === 'file') {
      entry.sizeBytes = Number(size);
      entry.extentLba = Number(lba);
    }
    // isoinfo prints a link to '/' alone (one ROOT component) as '' (xorriso, bsdtar and Isotope read '/').
    if (arrow >= 0) entry.linkTarget = (rest as string).slice(arrow + 4) || '/';
    entries.push(entry);
  }
  return { entries, rawNames };
}

export const isoinfoOracle: Oracle = {
  name: 'isoinfo',
  namespaces: ['rockridge', 'iso9660'],
  async read(imagePath, namespace, options) {
    const rockRidge = namespace === 'rockridge';
    // latin1: isoinfo prints Rock Ridge names' bytes as they are; decoded as UTF-8 below.
    const output = Buffer.from(runOracleTool('isoinfo', ['-l', ...(rockRidge ? ['-R'] : []), '-i', imagePath]), 'utf8').toString('utf8');
    const { entries, rawNames } = parseIsoinfoListing(output, { rockRidge });
    const files = entries.filter((entry) => entry.kind === 'file');
    const content = options.content && files.length <= maxFilesToExtract;
    if (content) {
      for (const entry of files) {
        const recordedPath = rockRidge ? entry.path : rawPathOf(entry.path, rawNames, entries);
        const bytes = execFileSync('isoinfo', [...(rockRidge ? ['-R'] : []), '-x', recordedPath, '-i', imagePath], { maxBuffer: 1024 * 1024 * 1024 });
        entry.sha256 = createHash('sha256').update(bytes).digest('hex');
      }
    }
    const fields: EntryField[] = ['sizeBytes', ...(content ? (['sha256'] as const) : [])];
    if (rockRidge) fields.push('permissionBits', 'linkTarget');
    return { entries, fields, ...(rockRidge ? {} : { rawNames }) };
  },
};

/** isoinfo -x wants the recorded ISO 9660 path ('/DIR/NAME.TXT;1'): the version-less path's components mapped back. */
function rawPathOf(path: string, rawNames: readonly string[], entries: readonly OracleEntry[]): string {
  const index = entries.findIndex((entry) => entry.path === path);
  const parent = path.slice(0, path.lastIndexOf('/'));
  const parentRaw = parent === '' ? '' : rawPathOf(parent, rawNames, entries);
  return `${parentRaw}/${rawNames[index] as string}`;
}
