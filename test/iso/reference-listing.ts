// Listings in one comparable shape, {path, type, sizeBytes?, target?, sha256?} sorted by path, from
// Isotope's reader and from pycdlib (test/iso/tools/pycdlib-walk.py, Debian's /usr/bin/python3).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ImageNamespace } from '../../shared/image.ts';
import { openImageFile } from '../../src-main/image/open-image-file.ts';
import { readEntryContent } from '../../src-main/image/read-entry.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';

export interface ComparableEntry {
  path: string;
  type: string;
  sizeBytes?: number;
  target?: string;
  sha256?: string;
}

export function listWithPycdlib(imagePath: string, namespace: ImageNamespace, options: { content?: boolean } = {}): ComparableEntry[] {
  const script = join(repoRoot, 'test/iso/tools/pycdlib-walk.py');
  const args = [script, imagePath, namespace, ...(options.content === false ? ['--no-content'] : [])];
  const output = execFileSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(output) as ComparableEntry[];
}

export async function listWithIsotope(imagePath: string, namespace: ImageNamespace, options: { content?: boolean } = {}): Promise<ComparableEntry[]> {
  const opened = await openImageFile(imagePath, { namespace });
  try {
    const entries: ComparableEntry[] = [];
    for await (const entry of opened.image.walk()) {
      const comparable: ComparableEntry = { path: entry.path, type: entry.type === 'other' ? 'file' : entry.type };
      if (entry.type === 'symlink' && entry.target !== undefined) comparable.target = entry.target;
      if (entry.type === 'file' || entry.type === 'other') {
        comparable.sizeBytes = entry.sizeBytes;
        if (options.content !== false) {
          const digest = createHash('sha256');
          for await (const chunk of readEntryContent(opened.source, entry)) digest.update(chunk);
          comparable.sha256 = digest.digest('hex');
        }
      }
      entries.push(comparable);
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  } finally {
    await opened.close();
  }
}
