// bsdtar (libarchive's ISO 9660 reader, Rock Ridge first): `bsdtar -xf` as root restores names, modes,
// owners, times, link targets, hard links, device nodes and fifos, so the extracted folder is read
// with the very snapshot the source tree is. Extraction writes every byte, so bsdtar sits out the
// 4.5 GiB tree (needsContent).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotDirectory } from '../tree-entry.ts';
import { runOracleTool, type EntryField, type Oracle } from './oracle.ts';

export const bsdtarOracle: Oracle = {
  name: 'bsdtar',
  namespaces: ['rockridge'],
  needsContent: true,
  async read(imagePath, _namespace, options) {
    const target = join(options.scratchDir, 'bsdtar');
    mkdirSync(target);
    runOracleTool('bsdtar', ['-xpf', imagePath, '-C', target, '--numeric-owner']);
    // libarchive drops the '/' between two SL records (a target over one record's room, like the
    // 1,000-byte one) while xorriso, pycdlib, isoinfo and Isotope read it: its targets are compared without slashes.
    const fields: EntryField[] = ['sizeBytes', 'sha256', 'mode', 'uid', 'gid', 'mtimeS', 'linkTargetWithoutSlashes', 'device'];
    return { entries: snapshotDirectory(target, { content: true }), fields };
  },
};
