// Extraction conflicts (issue 17): what `image:extract-conflicts` lists at a destination, and what
// each choice does with a real xorriso image: fail (destination-exists naming the file), overwrite
// (a link at the destination is replaced, never followed; a folder is never replaced by a file),
// skip, keep both ("name (2).ext"), and per-entry choices over the default; names at NAME_MAX (255
// bytes of UTF-8) in an image built by xorriso; a destination folder swapped for a link
// mid-extraction, and a folder on the way swapped for a file (named by host and image path).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extractEntries, type ExtractOptions } from '../../src-main/image/extract-entries.ts';
import { keepBothName, replacementPath } from '../../src-main/image/extract-conflicts.ts';
import { listExtractConflicts } from '../../src-main/image/image-operations.ts';
import { withImageFile } from '../../src-main/image/open-image-file.ts';
import { xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';
import { testService } from '../helpers/in-process-cli.ts';
import { runJob } from '../helpers/run-job.ts';

const readme = 'Hello from Isotope.\n';
const guide = 'A guide.\n'.repeat(1000);
let scratch: string;
let destination: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'isotope-conflicts-'));
  destination = join(scratch, 'out');
  mkdirSync(destination);
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function extract(entries: string[], options: Pick<ExtractOptions, 'onConflict' | 'conflictChoices'> = {}) {
  return withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) => extractEntries({ image, entries, destination, ...options }));
}
const at = (path: string): string => join(destination, path);

describe('keepBothName', () => {
  it('puts the copy number before the last extension, after a folder name or a leading-dot name', () => {
    expect(keepBothName('guide.txt', 2, false)).toBe('guide (2).txt');
    expect(keepBothName('archive.tar.gz', 3, false)).toBe('archive.tar (3).gz');
    expect(keepBothName('NOEXT', 2, false)).toBe('NOEXT (2)');
    expect(keepBothName('.hidden', 2, false)).toBe('.hidden (2)');
    expect(keepBothName('docs.d', 2, true)).toBe('docs.d (2)');
  });

  it('shortens a long name by UTF-8 bytes to fit 255 with the copy number, keeping the extension and whole characters', () => {
    const bytes = (name: string): number => Buffer.byteLength(name, 'utf8');
    expect(keepBothName('文'.repeat(85), 2, false)).toBe(`${'文'.repeat(83)} (2)`); // 249 + 4 bytes: 84 would be 256
    expect(keepBothName(`${'a'.repeat(251)}.iso`, 10, false)).toBe(`${'a'.repeat(246)} (10).iso`);
    // 63 four-byte emoji and "ab": the cut falls inside an emoji's bytes and takes none of it.
    const emoji = keepBothName(`${'😀'.repeat(63)}ab`, 2, true);
    expect(emoji).toBe(`${'😀'.repeat(62)} (2)`);
    for (const copyNumber of [2, 10, 100, 1000]) expect(bytes(keepBothName('文'.repeat(85), copyNumber, false))).toBeLessThanOrEqual(255);
    // An extension that leaves no room for the stem is cut with the rest.
    expect(bytes(keepBothName(`x.${'e'.repeat(253)}`, 2, false))).toBe(255);
  });

  it("names an overwrite's temporary file within 255 bytes whatever the name", () => {
    const name = basenameOf(replacementPath(join('/some/folder', '文'.repeat(85))));
    expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(255);
    expect(name).toMatch(/^\.文+\.isotope-[0-9a-f]{12}$/);
  });
});

const basenameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

describe('listExtractConflicts', () => {
  it('lists each file whose place is taken, and a file where the image has a folder, but not a folder over a folder', async () => {
    mkdirSync(at('docs'));
    writeFileSync(at('docs/guide.txt'), 'mine');
    symlinkSync('/etc/hostname', at('docs/empty.txt'));
    mkdirSync(at('docs/relative-link'));
    writeFileSync(at('docs/empty-folder'), 'a file where the image has a folder');
    const answer = await listExtractConflicts({ path: xorrisoFeaturesIsoPath(), entries: ['/docs'], destination });
    expect(answer.truncated).toBe(false);
    expect([...answer.conflicts].sort((a, b) => a.entryPath.localeCompare(b.entryPath))).toEqual([
      { entryPath: '/docs/empty-folder', destinationPath: at('docs/empty-folder'), existingKind: 'file' },
      { entryPath: '/docs/empty.txt', destinationPath: at('docs/empty.txt'), existingKind: 'other' },
      { entryPath: '/docs/guide.txt', destinationPath: at('docs/guide.txt'), existingKind: 'file' },
      { entryPath: '/docs/relative-link', destinationPath: at('docs/relative-link'), existingKind: 'directory' },
    ]);
  });

  it('lists nothing for a destination that does not exist yet, and creates nothing', async () => {
    const missing = join(scratch, 'not-yet');
    expect(await listExtractConflicts({ path: xorrisoFeaturesIsoPath(), destination: missing })).toEqual({ conflicts: [], truncated: false });
    expect(existsSync(missing)).toBe(false);
  });
});

describe('extracting over existing files', () => {
  it('overwrite replaces the file with the image bytes', async () => {
    writeFileSync(at('README.TXT'), 'mine');
    await extract(['/README.TXT'], { onConflict: 'overwrite' });
    expect(readFileSync(at('README.TXT'), 'utf8')).toBe(readme);
    expect(readdirSync(destination)).toEqual(['README.TXT']); // no temporary file left beside it
  });

  it('overwrite replaces a symbolic link at the destination itself and never writes through it', async () => {
    const outsideFile = join(scratch, 'outside.txt');
    writeFileSync(outsideFile, 'outside, untouched');
    symlinkSync(outsideFile, at('README.TXT'));
    await extract(['/README.TXT'], { onConflict: 'overwrite' });
    expect(lstatSync(at('README.TXT')).isFile()).toBe(true);
    expect(readFileSync(at('README.TXT'), 'utf8')).toBe(readme);
    expect(readFileSync(outsideFile, 'utf8')).toBe('outside, untouched');
  });

  it('overwrite never replaces a folder by a file: destination-exists says so, and the folder is kept', async () => {
    mkdirSync(at('README.TXT'));
    writeFileSync(at('README.TXT/inside'), 'kept');
    await expect(extract(['/README.TXT'], { onConflict: 'overwrite' })).rejects.toMatchObject({
      code: 'destination-exists',
      message: expect.stringContaining('a folder is never replaced') as string,
    });
    expect(readFileSync(at('README.TXT/inside'), 'utf8')).toBe('kept');
  });

  it('skip leaves the existing file and reports the entry as skipped', async () => {
    writeFileSync(at('README.TXT'), 'mine');
    const summary = await extract(['/README.TXT'], { onConflict: 'skip' });
    expect(readFileSync(at('README.TXT'), 'utf8')).toBe('mine');
    expect(summary).toMatchObject({ fileCount: 0, skipped: [{ path: '/README.TXT', reason: expect.stringContaining('skipped as chosen') as string }] });
  });

  it('keep-both writes "name (2).ext", then "name (3).ext", beside the existing files', async () => {
    mkdirSync(at('docs'));
    writeFileSync(at('docs/guide.txt'), 'mine');
    await extract(['/docs/guide.txt'], { onConflict: 'keep-both' });
    await extract(['/docs/guide.txt'], { onConflict: 'keep-both' });
    expect(readdirSync(destination).sort()).toEqual(['docs', 'guide (2).txt', 'guide.txt']);
    writeFileSync(at('docs/guide (2).txt'), 'also mine');
    await withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) =>
      extractEntries({ image, entries: ['/docs/guide.txt'], destination: at('docs'), onConflict: 'keep-both' }),
    );
    expect(readFileSync(at('docs/guide.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(at('docs/guide (2).txt'), 'utf8')).toBe('also mine');
    expect(readFileSync(at('docs/guide (3).txt'), 'utf8')).toBe(guide);
  });

  it('keep-both of a folder whose place a file takes puts the whole subtree under "name (2)"', async () => {
    writeFileSync(at('docs'), 'a file named docs');
    await extract(['/docs'], { onConflict: 'keep-both' });
    expect(readFileSync(at('docs'), 'utf8')).toBe('a file named docs');
    expect(readFileSync(at('docs (2)/guide.txt'), 'utf8')).toBe(guide);
    expect(readlinkSync(at('docs (2)/relative-link'))).toBe('../README.TXT');
  });

  it('skip of a folder whose place a file takes skips everything in it', async () => {
    writeFileSync(at('docs'), 'a file named docs');
    const summary = await extract(['/docs'], { onConflict: 'skip' });
    expect(readdirSync(destination)).toEqual(['docs']);
    expect(summary.skipped.map((item) => item.path)).toEqual(['/docs']);
  });

  it('per-entry choices override the default, which stays fail for the rest', async () => {
    mkdirSync(at('docs'));
    writeFileSync(at('docs/guide.txt'), 'mine');
    writeFileSync(at('docs/empty.txt'), 'mine too');
    await expect(extract(['/docs'], { conflictChoices: { '/docs/guide.txt': 'overwrite' } })).rejects.toMatchObject({
      code: 'destination-exists',
      hostPath: at('docs/empty.txt'),
    });
    const summary = await extract(['/docs'], { onConflict: 'skip', conflictChoices: { '/docs/guide.txt': 'overwrite', ['__proto__']: 'keep-both' } });
    expect(readFileSync(at('docs/guide.txt'), 'utf8')).toBe(guide);
    expect(readFileSync(at('docs/empty.txt'), 'utf8')).toBe('mine too');
    expect(summary.skipped.map((item) => item.path)).toContain('/docs/empty.txt');
  });
});

describe('image:extract with conflicts through the service', () => {
  it('answers destination-exists by default, and honours onConflict', async () => {
    const service = testService();
    writeFileSync(at('README.TXT'), 'mine');
    const request = { path: xorrisoFeaturesIsoPath(), entries: ['/README.TXT'], destination };
    expect(await service.invoke('image:extract-conflicts', request)).toEqual({
      ok: true,
      value: { conflicts: [{ entryPath: '/README.TXT', destinationPath: at('README.TXT'), existingKind: 'file' }], truncated: false },
    });
    expect(await runJob(service, 'extract', 'image:extract', request)).toMatchObject({ ok: false, error: { code: 'destination-exists' } });
    expect(await runJob(service, 'extract', 'image:extract', { ...request, onConflict: 'keep-both' })).toMatchObject({ ok: true, value: { fileCount: 1 } });
    expect(readFileSync(at('README (2).TXT'), 'utf8')).toBe(readme);
    expect(await service.invoke('image:extract', { ...request, onConflict: 'replace' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});

describe('names as long as a file system allows', () => {
  // 83 CJK characters are 249 bytes, 85 are 255; ASCII names of 250 and 255 bytes.
  const longNames = ['文'.repeat(83), 'a'.repeat(250), '文'.repeat(85), `${'a'.repeat(251)}.iso`];
  let imageFolder: string;
  let longIsoPath: string;
  beforeAll(() => {
    imageFolder = mkdtempSync(join(tmpdir(), 'isotope-long-names-'));
    mkdirSync(join(imageFolder, 'tree'));
    for (const name of longNames) writeFileSync(join(imageFolder, 'tree', name), `from the image: ${name.length}\n`);
    longIsoPath = join(imageFolder, 'long.iso');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-V', 'LONG', '-o', longIsoPath, join(imageFolder, 'tree')], { stdio: 'ignore' });
  });
  afterAll(() => rmSync(imageFolder, { recursive: true, force: true }));

  it.each(longNames.map((name) => [Buffer.byteLength(name, 'utf8'), name.length, name]))(
    'overwrite and keep-both work for a %i-byte name of %i characters',
    async (_bytes, _characters, name) => {
      const imageBytes = `from the image: ${name.length}\n`;
      writeFileSync(at(name), 'mine');
      const run = (onConflict: 'overwrite' | 'keep-both') =>
        withImageFile(longIsoPath, {}, ({ image }) => extractEntries({ image, entries: [`/${name}`], destination, onConflict }));
      await run('keep-both');
      expect(readFileSync(at(name), 'utf8')).toBe('mine');
      const copies = readdirSync(destination).filter((entry) => entry !== name);
      expect(copies).toHaveLength(1);
      expect(copies[0]).toContain(' (2)');
      expect(Buffer.byteLength(copies[0] as string, 'utf8')).toBeLessThanOrEqual(255);
      expect(readFileSync(at(copies[0] as string), 'utf8')).toBe(imageBytes);
      await run('overwrite');
      expect(readFileSync(at(name), 'utf8')).toBe(imageBytes);
      expect(readdirSync(destination)).toHaveLength(2); // no temporary file left beside them
    },
  );
});

describe('a destination folder swapped for a file while extracting', () => {
  it("fails naming the host path and the image's folder that could not be made there", async () => {
    const folder = at('deep/level-1');
    let swapped = false;
    const onProgress = (): void => {
      if (swapped) return;
      swapped = true;
      // At the first file written: the folder the rest of /deep/level-1 goes into becomes a file.
      renameSync(folder, join(scratch, 'moved-aside'));
      writeFileSync(folder, 'not a folder');
    };
    const run = withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) => extractEntries({ image, entries: ['/deep'], destination, onProgress }));
    await expect(run).rejects.toMatchObject({
      code: 'destination-exists',
      hostPath: folder,
      message: `${folder} already exists (something that is not a folder is there where a folder is needed); the image's /deep/level-1 was not written over it`,
    });
  });
});

describe('a destination folder swapped for a link while extracting', () => {
  /** Once, at the first progress report: moves the destination aside and puts a link to `outside` in its place. */
  function swapDestinationFor(outside: string, carryTemporaryFiles: boolean): () => void {
    let swapped = false;
    return () => {
      if (swapped) return;
      swapped = true;
      const movedAside = join(scratch, 'moved-aside');
      renameSync(destination, movedAside);
      // What an attacker would do to make the overwrite's rename succeed: its temporary file beside the victim.
      if (carryTemporaryFiles)
        for (const name of readdirSync(movedAside).filter((entry) => entry.includes('.isotope-'))) renameSync(join(movedAside, name), join(outside, name));
      symlinkSync(outside, destination);
    };
  }

  it('refuses to rename an overwrite over a file outside the destination', async () => {
    const outside = join(scratch, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'random.bin'), 'outside, untouched');
    writeFileSync(at('random.bin'), 'mine');
    const onProgress = swapDestinationFor(outside, true);
    const extraction = withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) =>
      extractEntries({ image, entries: ['/docs/random.bin'], destination, onConflict: 'overwrite', onProgress }),
    );
    await expect(extraction).rejects.toMatchObject({ code: 'destination-changed', message: expect.stringContaining(outside) as string });
    expect(readFileSync(join(outside, 'random.bin'), 'utf8')).toBe('outside, untouched');
  });

  it('refuses to delete a file outside the destination to make room for a folder', async () => {
    const outside = join(scratch, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'docs'), 'outside, untouched');
    const onProgress = swapDestinationFor(outside, false);
    // README.TXT is written first; its progress swaps the folder before /docs is placed.
    const extraction = withImageFile(xorrisoFeaturesIsoPath(), {}, ({ image }) =>
      extractEntries({ image, entries: ['/README.TXT', '/docs'], destination, onConflict: 'overwrite', onProgress }),
    );
    await expect(extraction).rejects.toMatchObject({ code: 'destination-changed' });
    expect(readFileSync(join(outside, 'docs'), 'utf8')).toBe('outside, untouched');
    expect(readdirSync(outside)).toEqual(['docs']);
  });
});
