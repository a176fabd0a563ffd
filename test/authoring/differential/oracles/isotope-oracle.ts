// Isotope's own reader (src-main/image: the ISO 9660 tree with its Joliet and Rock Ridge views), as
// `isotope ls` and extraction use it: walked, and every file's bytes streamed for SHA-256.
import { createHash } from 'node:crypto';
import { openImageFile } from '../../../../src-main/image/open-image-file.ts';
import { readEntryContent } from '../../../../src-main/image/read-entry.ts';
import type { TreeEntry as ImageTreeEntry } from '../../../../src-main/format/file-tree.ts';
import { deviceNumbers } from '../../../../src-main/iso/rock-ridge.ts';
import { kindOfTypeLetter, withoutVersion, type EntryField, type Oracle, type OracleEntry } from './oracle.ts';

const typeLetters: Record<number, string> = { 0o100000: '-', 0o040000: 'd', 0o120000: 'l', 0o060000: 'b', 0o020000: 'c', 0o010000: 'p', 0o140000: 's' };

function kindOf(entry: ImageTreeEntry): OracleEntry['kind'] {
  if (entry.type !== 'other') return entry.type;
  return kindOfTypeLetter(typeLetters[(entry.mode ?? 0) & 0o170000] ?? '-');
}

/**
 * RRIP 4.1.2 PN as Isotope reads it (deviceNumbers): a high word of 0 is a split Linux dev_t, as
 * libisofs writes it and xorriso, bsdtar and libarchive read it. Not as the Linux kernel reads it
 * (fs/isofs/rock.c takes low >> 8 and low & 0xff): that misreads any major or minor above 255 in this
 * form, and the mkisofs form (high major, low minor) would break xorriso's reading instead.
 */
function deviceOf(device: { readonly high: number; readonly low: number }): string {
  const { major, minor } = deviceNumbers(device);
  return `${major},${minor}`;
}

export const isotopeOracle: Oracle = {
  name: 'isotope',
  namespaces: ['rockridge', 'joliet', 'iso9660'],
  async read(imagePath, namespace, options) {
    const opened = await openImageFile(imagePath, { namespace });
    try {
      const entries: OracleEntry[] = [];
      const rockRidge = namespace === 'rockridge';
      const keepsNames = rockRidge || namespace === 'udf';
      for await (const found of opened.image.walk()) {
        const entry: OracleEntry = {
          path: keepsNames ? found.path : found.path.split('/').map(withoutVersion).join('/'),
          kind: keepsNames ? kindOf(found) : found.type === 'directory' ? 'directory' : 'file',
        };
        if (rockRidge)
          Object.assign(entry, { mode: (found.mode ?? 0) & 0o7777, uid: found.uid, gid: found.gid, mtimeS: Math.floor((found.mtimeMs ?? 0) / 1000) });
        if (found.target !== undefined) entry.linkTarget = found.target;
        if (found.device) entry.device = deviceOf(found.device);
        if (entry.kind === 'file') {
          entry.sizeBytes = found.sizeBytes;
          entry.extentLba = found.extentLba;
          if (options.content) {
            const digest = createHash('sha256');
            for await (const chunk of readEntryContent(opened.source, found, { chunkBytes: 4 * 1024 * 1024 })) digest.update(chunk);
            entry.sha256 = digest.digest('hex');
          }
        }
        entries.push(entry);
      }
      const fields: EntryField[] = ['sizeBytes', ...(options.content ? (['sha256'] as const) : [])];
      if (rockRidge) fields.push('mode', 'uid', 'gid', 'mtimeS', 'linkTarget', 'device');
      return { entries, fields };
    } finally {
      await opened.close();
    }
  },
};
