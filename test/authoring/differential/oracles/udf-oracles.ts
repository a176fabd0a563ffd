// The UDF bridge (`--udf`) read back: Isotope's UDF reader, pycdlib's UDF walk (test/iso/tools/
// pycdlib-walk.py, which reads UDF beside ISO 9660), 7-Zip and udfinfo (udftools), whose numfiles/numdirs
// come from the Logical Volume Integrity Descriptor's implementation use (UDF 1.02 2.2.6.4).
import { join } from 'node:path';
import { repoRoot } from '../../../fixtures/fixture-cache.ts';
import { isotopeOracle } from './isotope-oracle.ts';
import { sevenZipOracle } from './sevenzip-oracle.ts';
import { runOracleTool, type Oracle, type OracleEntry } from './oracle.ts';
import type { TreeEntry } from '../tree-entry.ts';

const pycdlibWalk = join(repoRoot, 'test/iso/tools/pycdlib-walk.py');

export const isotopeUdfOracle: Oracle = { ...isotopeOracle, name: 'isotope (udf)', namespaces: ['udf'] };

/** 7-Zip opens a bridge's UDF tree rather than its Joliet one. */
export const sevenZipUdfOracle: Oracle = { ...sevenZipOracle, name: '7zz (udf)', namespaces: ['udf'] };

export const pycdlibUdfOracle: Oracle = {
  name: 'pycdlib (udf)',
  namespaces: ['udf'],
  async read(imagePath, _namespace, options) {
    const output = runOracleTool('/usr/bin/python3', [pycdlibWalk, imagePath, 'udf', ...(options.content ? [] : ['--no-content'])]);
    const raw = JSON.parse(output) as { path: string; type: TreeEntry['kind']; sizeBytes?: number; sha256?: string }[];
    const entries: OracleEntry[] = raw.map(({ type, ...rest }) => ({ ...rest, kind: type }));
    return { entries, fields: options.content ? ['sizeBytes', 'sha256'] : ['sizeBytes'] };
  },
};

/** udfinfo's counts: folders (the root included) and files (one per File Entry: hard links once). */
export function udfinfoCounts(imagePath: string): { numfiles: number; numdirs: number } {
  const output = runOracleTool('udfinfo', [imagePath]);
  const count = (key: string): number => Number(new RegExp(`^${key}=(\\d+)$`, 'm').exec(output)?.[1] ?? NaN);
  return { numfiles: count('numfiles'), numdirs: count('numdirs') };
}
