// 7-Zip (7zz): its ISO handler reads the Joliet tree when there is one (it ignores Rock Ridge); its UDF
// handler reads a bridge's UDF tree (udf-oracles.ts).
// `7zz l -slt` lists paths, folder flags and sizes; `7zz x` writes the files out for their bytes.
import { join } from 'node:path';
import { snapshotDirectory } from '../tree-entry.ts';
import { runOracleTool, type EntryField, type Oracle, type OracleEntry } from './oracle.ts';

/** The records of `7zz l -slt` after its '----------' line: blocks of 'Key = value' lines. */
export function parseSevenZipListing(output: string): OracleEntry[] {
  const body = output.slice(output.indexOf('\n----------\n') + 12);
  const entries: OracleEntry[] = [];
  for (const block of body.split(/\n\n+/)) {
    const fields = new Map(
      block
        .split('\n')
        .filter((line) => line.includes(' = ') || line.endsWith(' ='))
        .map((line) => [line.slice(0, line.indexOf(' =')), line.slice(line.indexOf(' =') + 3)] as const),
    );
    const path = fields.get('Path');
    if (path === undefined) continue;
    const directory = fields.get('Folder') === '+';
    entries.push(directory ? { path: `/${path}`, kind: 'directory' } : { path: `/${path}`, kind: 'file', sizeBytes: Number(fields.get('Size')) });
  }
  return entries;
}

export const sevenZipOracle: Oracle = {
  name: '7zz',
  namespaces: ['joliet'],
  async read(imagePath, namespace, options) {
    // The handler named (-t): 7-Zip opens a bridge as UDF by itself, and falls back to ISO 9660
    // silently when its UDF handler refuses the image, which would hide that refusal.
    const type = namespace === 'udf' ? '-tudf' : '-tiso';
    const entries = parseSevenZipListing(runOracleTool('7zz', ['l', type, '-slt', '-sccUTF-8', imagePath]));
    if (options.content) {
      const target = join(options.scratchDir, '7zz');
      runOracleTool('7zz', ['x', type, '-y', '-snld', `-o${target}`, imagePath]);
      const extracted = new Map(snapshotDirectory(target, { content: true }).map((entry) => [entry.path, entry]));
      for (const entry of entries) if (entry.kind === 'file') entry.sha256 = extracted.get(entry.path)?.sha256 ?? 'not extracted';
    }
    const fields: EntryField[] = ['sizeBytes', ...(options.content ? (['sha256'] as const) : [])];
    return { entries, fields };
  },
};
