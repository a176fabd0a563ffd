// files:check-recent (issue 17): the Start screen's recent images re-checked by content, through the
// contract, on real files: a real ISO and a real disk image are images, the same names overwritten
// with text are not, a removed file or a folder in its place is gone, and what cannot be judged
// without decoding (an xz-compressed image) is unknown, so the list keeps it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxCheckedRecentPaths } from '../../shared/files.ts';
import { diskFixturePath } from '../fixtures/disk-images.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { testService } from '../helpers/in-process-cli.ts';
import { isRoot } from '../flash/loop-devices.ts';

const service = testService();
let dir = '';

beforeAll(() => {
  dir = mkdtempSync('/dev/shm/isotope-check-recent-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(paths: string[]) {
  const answer = await service.call('files:check-recent', { paths });
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value.checks;
}

describe('files:check-recent', () => {
  it('answers image for a real ISO, and not-an-image once the same file holds text, naming what the opener looked for', async () => {
    const iso = join(dir, 'hello.iso');
    copyFileSync(helloIsoPath(), iso);
    expect(await check([iso])).toEqual([{ path: iso, verdict: 'image', reason: null }]);
    writeFileSync(iso, 'Meeting notes: the ISO was deleted and this file took its name.\n'.repeat(100));
    const [after] = await check([iso]);
    expect(after).toMatchObject({ path: iso, verdict: 'not-an-image' });
    expect(after?.reason).toContain('no ISO 9660 volume descriptor at sector 16');
  });

  it.skipIf(!isRoot)('answers image for a disk image with a partition table (the opener reads partitions too)', async () => {
    const disk = diskFixturePath('gpt');
    expect(await check([disk])).toEqual([{ path: disk, verdict: 'image', reason: null }]);
  });

  it('answers gone for a removed file and for a folder where the file was, one answer per path in order', async () => {
    const removed = join(dir, 'removed.iso');
    const folder = join(dir, 'now-a-folder.iso');
    mkdirSync(folder);
    const iso = join(dir, 'kept.iso');
    copyFileSync(helloIsoPath(), iso);
    const checks = await check([removed, iso, folder]);
    expect(checks.map((entry) => [entry.path, entry.verdict])).toEqual([
      [removed, 'gone'],
      [iso, 'image'],
      [folder, 'gone'],
    ]);
  });

  it('answers unknown, not "no", for a compressed file: what it holds shows only once decoded', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not an image, but compressed: nothing tells without decoding\n');
    execFileSync('xz', ['--keep', '--force', text]);
    const [compressed] = await check([`${text}.xz`]);
    expect(compressed).toMatchObject({ verdict: 'unknown' });
    expect(compressed?.reason).toContain('xz-compressed');
  });

  it('answers unknown, not "no", for a damaged image: its volume descriptor says ISO, its root folder lies past the end', async () => {
    const cut = join(dir, 'cut.iso');
    copyFileSync(helloIsoPath(), cut);
    // Sectors 0-16 only: the system area and the primary volume descriptor, none of what it points to.
    truncateSync(cut, 17 * 2048);
    const [damaged] = await check([cut]);
    expect(damaged).toMatchObject({ path: cut, verdict: 'unknown' });
    expect(damaged?.reason).not.toBeNull();
  });

  it(`refuses more than ${maxCheckedRecentPaths} paths, and a relative path, at the boundary`, async () => {
    const many = Array.from({ length: maxCheckedRecentPaths + 1 }, (_, index) => join(dir, `${index}.iso`));
    expect(await service.call('files:check-recent', { paths: many })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await service.call('files:check-recent', { paths: ['relative.iso'] })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});
