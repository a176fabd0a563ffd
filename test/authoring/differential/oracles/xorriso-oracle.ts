// xorriso (libisofs's reader): `-find / -exec lsdl` lists every node with its type, permissions,
// owner, size (major,minor for devices) and link target; `-osirrox on -extract` writes the files out
// for their bytes and times (lsdl shows minutes at best). `-read_fs norock` reads the Joliet tree,
// `-read_fs ecma119` the plain ISO 9660 one. `-backslash_codes on` escapes control characters and
// non-ASCII bytes as \ooo, decoded here.
import { join } from 'node:path';
import { snapshotDirectory, type TreeEntry } from '../tree-entry.ts';
import { kindOfTypeLetter, modeOfPermissionString, runOracleTool, type EntryField, type Namespace, type Oracle, type OracleEntry } from './oracle.ts';

type IsoNamespace = Exclude<Namespace, 'udf'>;

const readFs: Record<IsoNamespace, string> = { rockridge: 'any', joliet: 'norock', iso9660: 'ecma119' };

const simpleEscapes: Record<string, number> = { a: 7, b: 8, e: 27, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/** A name as xorriso quotes it ('it'"'"'s', \ooo bytes, \\), back to the string it stands for. */
export function decodeXorrisoText(quoted: string): string {
  const text = quoted.replaceAll(`'"'"'`, "'");
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = text[index + 1] as string;
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(text.slice(index + 1, index + 4), 8));
      index += 3;
    } else if (next in simpleEscapes) {
      bytes.push(simpleEscapes[next] as number);
      index += 1;
    } else if (next === 'c') {
      bytes.push((text.charCodeAt(index + 2) & 0x1f) >>> 0);
      index += 2;
    } else bytes.push(92);
  }
  return Buffer.from(bytes).toString('utf8');
}

const lsdlLine = /^(\S)(\S{9})\s+\d+\s+(\d+)\s+(\d+)\s+(\S+)\s+\w{3}\s+\d+\s+\S+\s+'(.*?)'(?: -> '(.*)')?$/;

/** One lsdl line as an entry (null for the root). */
export function parseLsdlLine(line: string): OracleEntry | null {
  const match = lsdlLine.exec(line);
  if (!match) throw new Error(`xorriso lsdl line not understood: ${line}`);
  const [, type, permissions, uid, gid, size, quotedPath, quotedTarget] = match as unknown as string[];
  const path = decodeXorrisoText(quotedPath as string);
  if (path === '/') return null;
  const entry: OracleEntry = {
    path,
    kind: kindOfTypeLetter(type as string),
    mode: modeOfPermissionString(`${type}${permissions}`),
    uid: Number(uid),
    gid: Number(gid),
  };
  if (entry.kind === 'file') entry.sizeBytes = Number(size);
  if (entry.kind === 'block-device' || entry.kind === 'character-device') entry.device = size as string;
  if (quotedTarget !== undefined) entry.linkTarget = decodeXorrisoText(quotedTarget);
  return entry;
}

function listTree(imagePath: string, namespace: IsoNamespace): OracleEntry[] {
  const output = runOracleTool('xorriso', ['-read_fs', readFs[namespace], '-backslash_codes', 'on', '-indev', imagePath, '-find', '/', '-exec', 'lsdl']);
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map(parseLsdlLine)
    .filter((entry): entry is OracleEntry => entry !== null);
}

function extractTree(imagePath: string, namespace: IsoNamespace, scratchDir: string): Map<string, TreeEntry> {
  const target = join(scratchDir, `xorriso-${namespace}`);
  runOracleTool('xorriso', ['-read_fs', readFs[namespace], '-osirrox', 'on', '-indev', imagePath, '-extract', '/', target]);
  return new Map(snapshotDirectory(target, { content: true }).map((entry) => [entry.path, entry]));
}

export const xorrisoOracle: Oracle = {
  name: 'xorriso',
  namespaces: ['rockridge', 'joliet', 'iso9660'],
  async read(imagePath, namespace, options) {
    if (namespace === 'udf') throw new Error('xorriso reads no UDF');
    const entries = listTree(imagePath, namespace);
    const extracted = options.content ? extractTree(imagePath, namespace, options.scratchDir) : null;
    for (const entry of entries) {
      const copy = extracted?.get(entry.path);
      if (copy?.kind === 'file') entry.sha256 = copy.sha256 as string;
      if (copy && (copy.kind === 'file' || copy.kind === 'directory') && namespace === 'rockridge') entry.mtimeS = copy.mtimeS as number;
    }
    const fields: EntryField[] = ['sizeBytes', ...(options.content ? (['sha256'] as const) : [])];
    if (namespace === 'rockridge') fields.push('mode', 'uid', 'gid', 'linkTarget', 'device', ...(options.content ? (['mtimeS'] as const) : []));
    return { entries, fields };
  },
};
