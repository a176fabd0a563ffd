// image:stat: owner ids and extents of an entry, against what xorriso reports for the same image.
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImageEntryStat } from '../../shared/image.ts';
import { createService } from '../../src-main/service/service.ts';
import { ensureFixture, runTool } from '../fixtures/fixture-cache.ts';

// Owned by ids that exist nowhere, so a reader that made them up could not match by chance.
const ownedIso = () =>
  ensureFixture({
    name: 'owned.iso',
    recipe: 'owned v1: xorriso -as mkisofs -R of docs/owned.txt (uid 1234, gid 567, 5000 bytes) and plain.txt',
    build(outputPath, workDir) {
      const tree = join(workDir, 'tree');
      mkdirSync(join(tree, 'docs'), { recursive: true });
      writeFileSync(join(tree, 'docs/owned.txt'), 'owned\n'.repeat(834));
      chownSync(join(tree, 'docs/owned.txt'), 1234, 567);
      writeFileSync(join(tree, 'plain.txt'), 'plain\n');
      runTool('xorriso', ['-as', 'mkisofs', '-R', '-o', outputPath, tree]);
    },
  });

const service = createService({ shell: 'cli', version: 'test', log: () => undefined });

async function stat(path: string, file: string, namespace?: 'iso9660'): Promise<ImageEntryStat> {
  const result = await service.invoke('image:stat', { path, file, ...(namespace ? { namespace } : {}) });
  if (!result.ok) throw new Error(result.error.message);
  return result.value as ImageEntryStat;
}

describe('image:stat', () => {
  it('gives the Rock Ridge owner and group xorriso lists, and the extents xorriso reports', async () => {
    const path = ownedIso();
    const listing = runTool('xorriso', ['-indev', path, '-lsl', '/docs/owned.txt']);
    const [, uid, gid] = /^\S+\s+\d+\s+(\d+)\s+(\d+)\s/m.exec(listing) ?? [];
    const lba = Number(
      /^File data lba:\s*\d+ ,\s*(\d+) ,/m.exec(runTool('xorriso', ['-indev', path, '-find', '/docs/owned.txt', '-exec', 'report_lba', '--']))?.[1],
    );

    const owned = await stat(path, '/docs/owned.txt');
    expect(owned.uid).toBe(Number(uid));
    expect(owned.gid).toBe(Number(gid));
    expect(owned.uid).toBe(1234);
    expect(owned.extents).toEqual([{ offsetBytes: lba * 2048, sizeBytes: 5004 }]);
    expect(owned.entry).toMatchObject({ path: '/docs/owned.txt', type: 'file', sizeBytes: 5004 });
    expect(owned.hidden).toBe(false);
  });

  it('has no owner where the namespace records none (plain ISO 9660), and not-found for a missing entry', async () => {
    const path = ownedIso();
    const plain = await stat(path, '/DOCS/OWNED.TXT', 'iso9660');
    expect(plain.uid).toBeNull();
    expect(plain.gid).toBeNull();
    expect(await service.invoke('image:stat', { path, file: '/docs/missing.txt' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
