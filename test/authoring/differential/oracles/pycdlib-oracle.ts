// pycdlib (Debian's python3-pycdlib, run by /usr/bin/python3): every namespace; Rock Ridge with PX, TF,
// PN and SL, so modes, owners, times, devices and link targets; file bytes through open_file_from_iso.
import { join } from 'node:path';
import { repoRoot } from '../../../fixtures/fixture-cache.ts';
import { runOracleTool, withoutVersion, type EntryField, type Oracle, type OracleEntry } from './oracle.ts';

const script = join(repoRoot, 'test/authoring/differential/tools/pycdlib-oracle.py');

export const pycdlibOracle: Oracle = {
  name: 'pycdlib',
  namespaces: ['rockridge', 'joliet', 'iso9660'],
  async read(imagePath, namespace, options) {
    const output = runOracleTool('/usr/bin/python3', [script, imagePath, namespace, ...(options.content ? [] : ['--no-content'])]);
    const raw = JSON.parse(output) as OracleEntry[];
    const content: EntryField[] = options.content ? ['sizeBytes', 'sha256'] : ['sizeBytes'];
    // pycdlib reads an SL whose one component is ROOT (a link to '/') as '' (xorriso, bsdtar and Isotope read '/').
    for (const entry of raw) if (entry.kind === 'symlink' && entry.linkTarget === '') entry.linkTarget = '/';
    if (namespace === 'rockridge') return { entries: raw, fields: [...content, 'mode', 'uid', 'gid', 'mtimeS', 'linkTarget', 'device'] };
    const rawNames = raw.map((entry) => entry.path.slice(entry.path.lastIndexOf('/') + 1));
    const entries = raw.map((entry) => ({ ...entry, path: entry.path.split('/').map(withoutVersion).join('/') }));
    return { entries, fields: content, rawNames };
  },
};
