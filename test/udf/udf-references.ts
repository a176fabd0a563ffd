// Reference listings of a UDF tree in the shape of test/iso/reference-listing.ts: pycdlib's UDF walk
// (bridges only) and 7-Zip's `7zz l -slt` (any UDF image), with contents hashed from `7zz x`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listWithPycdlib, type ComparableEntry } from '../iso/reference-listing.ts';

export function listUdfWithPycdlib(imagePath: string): ComparableEntry[] {
  return listWithPycdlib(imagePath, 'udf');
}

/** 7-Zip's UDF listing; with `content`, every file extracted by 7zz and hashed. */
export function listUdfWith7zz(imagePath: string, options: { content?: boolean } = {}): ComparableEntry[] {
  const output = execFileSync('7zz', ['l', '-slt', '-tudf', imagePath], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const body = output.slice(output.indexOf('\n----------\n') + 12);
  const entries: ComparableEntry[] = [];
  for (const block of body.split(/\n\n+/)) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const at = line.indexOf(' = ');
      if (at > 0) fields.set(line.slice(0, at), line.slice(at + 3));
    }
    const path = fields.get('Path');
    if (path === undefined) continue;
    const directory = fields.get('Folder') === '+';
    entries.push(directory ? { path: `/${path}`, type: 'directory' } : { path: `/${path}`, type: 'file', sizeBytes: Number(fields.get('Size')) });
  }
  if (options.content) {
    const out = mkdtempSync(join(tmpdir(), 'isotope-7zz-udf-'));
    try {
      execFileSync('7zz', ['x', '-y', '-tudf', `-o${out}`, imagePath], { stdio: 'ignore' });
      for (const entry of entries) {
        if (entry.type === 'file')
          entry.sha256 = createHash('sha256')
            .update(readFileSync(join(out, entry.path)))
            .digest('hex');
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
