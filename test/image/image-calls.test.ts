// The image calls through the service (as the renderer uses them) and the `isotope` ls / cat /
// extract / info commands (in-process through runCli), against real images and pycdlib.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageListing, ImagePreview, ImageSummary } from '../../shared/image.ts';
import type { JobProgress } from '../../shared/job.ts';
import { genisoimageFeaturesIsoPath, plainIsoPath, seededBytes, xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';
import { isotope, isotopeCat, testService as service } from '../helpers/in-process-cli.ts';
import { listWithPycdlib } from '../iso/reference-listing.ts';
import { buildIso, concat, directoryExtent, directoryRecord, rockRidgeRootSystemUse, rr, sector } from '../iso/iso-builder.ts';
import { inProcessImageParser } from '../../src-main/isolation/image-parser.ts';
import { createService } from '../../src-main/service/service.ts';
import { runJob } from '../helpers/run-job.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-calls-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('image calls', () => {
  it('image:open keeps the first-slice fields and adds the volume details', async () => {
    const result = await service().invoke('image:open', { path: xorrisoFeaturesIsoPath() });
    expect(result.ok).toBe(true);
    const summary = (result as { value: ImageSummary }).value;
    expect(summary).toMatchObject({ format: 'iso9660', volumeLabel: 'ISOTOPE_XORRISO', fileName: 'features-xorriso.iso' });
    expect(summary.iso).toMatchObject({
      formats: ['iso9660', 'joliet', 'rockridge'],
      namespaces: ['rockridge', 'joliet', 'iso9660'],
      jolietLevel: 3,
      publisherIdentifier: 'ISOTOPE_TESTS',
      applicationIdentifier: 'ISOTOPE_APP',
      rockRidgeExtensions: ['RRIP_1991A'],
    });
    expect(Math.abs((summary.iso?.creationMs ?? 0) - readFileStatMs(xorrisoFeaturesIsoPath()))).toBeLessThan(10 * 60_000);
  });

  it('image:list answers one folder, or a subtree, in the chosen namespace', async () => {
    const one = (await service().invoke('image:list', { path: xorrisoFeaturesIsoPath(), directory: '/docs' })) as { ok: true; value: ImageListing };
    expect(one.value.namespace).toBe('rockridge');
    expect(one.value.entries.map((entry) => entry.path)).toContain('/docs/relative-link');
    expect(one.value.entries.find((entry) => entry.path === '/docs/relative-link')).toMatchObject({ type: 'symlink', target: '../README.TXT', sizeBytes: 0 });
    const joliet = (await service().invoke('image:list', { path: xorrisoFeaturesIsoPath(), directory: '/', namespace: 'joliet', recursive: true })) as {
      ok: true;
      value: ImageListing;
    };
    const reference = listWithPycdlib(xorrisoFeaturesIsoPath(), 'joliet', { content: false }).map((entry) => entry.path);
    expect(joliet.value.entries.map((entry) => entry.path).sort()).toEqual(reference);
  });

  it('image:list refuses a missing folder with not-found and a namespace the image lacks with unsupported', async () => {
    expect(await service().invoke('image:list', { path: xorrisoFeaturesIsoPath(), directory: '/nope' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await service().invoke('image:list', { path: plainIsoPath(), directory: '/', namespace: 'joliet' })).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    });
  });

  it('image:preview shows text as text and binary as a hex dump of the first KiB', async () => {
    const text = (await service().invoke('image:preview', { path: xorrisoFeaturesIsoPath(), file: '/docs/guide.txt' })) as { ok: true; value: ImagePreview };
    expect(text.value).toMatchObject({ kind: 'text', previewBytes: 1024, sizeBytes: 9000 });
    expect(text.value.content).toBe('A guide.\n'.repeat(1000).slice(0, 1024));
    const binary = (await service().invoke('image:preview', { path: xorrisoFeaturesIsoPath(), file: '/docs/random.bin' })) as { ok: true; value: ImagePreview };
    expect(binary.value.kind).toBe('binary');
    const firstRow = seededBytes('random.bin', 16);
    expect(binary.value.content.split('\n')[0]).toContain(Array.from(firstRow, (byte) => byte.toString(16).padStart(2, '0')).join(' '));
    expect(binary.value.content.split('\n')).toHaveLength(64);
  });

  it('image:extract emits progress events for its id and can be cancelled by job:cancel with that id', async () => {
    const engine = service();
    const progress: JobProgress[] = [];
    let cancelledId = '';
    const destination = join(scratch, 'cancelled');
    const result = await runJob(
      engine,
      'extract',
      'image:extract',
      { path: xorrisoFeaturesIsoPath(), destination },
      {
        started: (jobId) => (cancelledId = jobId),
        progressed: (report) => {
          progress.push(report);
          void engine.invoke('job:cancel', { jobId: report.jobId });
        },
      },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(progress[0]).toMatchObject({ jobId: cancelledId, kind: 'extract', phase: 'extracting', files: { total: 10 } });
    const done = await runJob(engine, 'extract', 'image:extract', {
      path: xorrisoFeaturesIsoPath(),
      entries: ['/docs/guide.txt'],
      destination: join(scratch, 'one'),
    });
    expect(done).toMatchObject({ ok: true, value: { fileCount: 1, bytesWritten: 9000 } });
    const doneId = done.ok ? done.value.jobId : '';
    expect(doneId).not.toBe(cancelledId);
    expect(await engine.invoke('job:cancel', { jobId: doneId })).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('rejects image paths containing NUL and relative destinations at the boundary', async () => {
    expect(await service().invoke('image:list', { path: xorrisoFeaturesIsoPath(), directory: '/a\0b' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await service().invoke('image:extract', { path: xorrisoFeaturesIsoPath(), destination: 'out' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });
});

/** The image was built moments before: its creation date is close to the file's own mtime. */
function readFileStatMs(path: string): number {
  return statSync(path).mtimeMs;
}

describe('isotope ls / cat / extract / info', () => {
  it('ls -R --json prints the documented entries, equal to pycdlib in every namespace', async () => {
    for (const namespace of ['rockridge', 'joliet', 'iso9660'] as const) {
      const run = await isotope(['ls', genisoimageFeaturesIsoPath(), '-R', '--json', '--namespace', namespace]);
      expect(run.code).toBe(0);
      const listed = JSON.parse(run.stdout) as { path: string; type: string; sizeBytes: number; target?: string }[];
      for (const entry of listed)
        expect(Object.keys(entry).every((key) => ['path', 'type', 'sizeBytes', 'target', 'mode', 'mtimeMs', 'uid', 'gid'].includes(key))).toBe(true);
      const comparable = listed
        .map((entry) => ({
          path: entry.path,
          type: entry.type === 'other' ? 'file' : entry.type,
          ...(entry.type === 'file' || entry.type === 'other' ? { sizeBytes: entry.sizeBytes } : {}),
          ...(entry.target !== undefined ? { target: entry.target } : {}),
        }))
        .sort((a, b) => (a.path < b.path ? -1 : 1));
      expect(comparable).toEqual(listWithPycdlib(genisoimageFeaturesIsoPath(), namespace, { content: false }));
    }
  });

  it('ls prints a folder for people and exits 1 for a missing folder', async () => {
    const run = await isotope(['ls', xorrisoFeaturesIsoPath(), '/docs']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^l 0777 +0 .* \/docs\/relative-link -> \.\.\/README\.TXT$/m);
    expect((await isotope(['ls', xorrisoFeaturesIsoPath(), '/missing'])).code).toBe(1);
  });

  it('ls -R prints, a folder at a time, exactly the entries and order of ls -R --json', async () => {
    const text = await isotope(['ls', '-R', xorrisoFeaturesIsoPath()]);
    const json = await isotope(['ls', '-R', '--json', xorrisoFeaturesIsoPath()]);
    expect(text.code).toBe(0);
    const fromJson = (JSON.parse(json.stdout) as { path: string; target?: string }[]).map(
      (entry) => entry.path + (entry.target !== undefined ? ` -> ${entry.target}` : ''),
    );
    const fromText = text.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.slice(line.indexOf(' /') + 1));
    expect(fromJson.length).toBeGreaterThan(5);
    expect(fromText).toEqual(fromJson);
  });

  it('exits 1 for a file that is not an image, 2 for usage errors and 3 for a corrupt image naming the sector', async () => {
    const notImage = join(scratch, 'not-an-image.bin');
    writeFileSync(notImage, Buffer.alloc(100_000));
    expect((await isotope(['ls', notImage])).code).toBe(1);
    expect((await isotope(['info', notImage])).code).toBe(1);
    expect((await isotope(['ls', xorrisoFeaturesIsoPath(), '--namespace', 'hfs'])).code).toBe(2);
    expect((await isotope(['extract', xorrisoFeaturesIsoPath()])).code).toBe(2);
    const truncated = join(scratch, 'truncated.iso');
    copyFileSync(xorrisoFeaturesIsoPath(), truncated);
    truncateSync(truncated, 40 * 2048);
    const run = await isotope(['cat', truncated, '/docs/random.bin']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/sector \d+, offset \d+/);
  });

  it('cat writes the exact bytes of a file', async () => {
    const { code, bytes } = await isotopeCat(xorrisoFeaturesIsoPath(), '/docs/random.bin');
    expect(code).toBe(0);
    const digest = createHash('sha256').update(bytes).digest('hex');
    expect(digest).toBe(
      createHash('sha256')
        .update(seededBytes('random.bin', 3 * 1024 * 1024 + 123))
        .digest('hex'),
    );
  });

  it('extract --json writes the chosen entries and reports skips', async () => {
    const destination = join(scratch, 'cli-extract');
    const run = await isotope(['extract', xorrisoFeaturesIsoPath(), '/docs', '--to', destination, '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { fileCount: number; skipped: { path: string }[] };
    expect(result.fileCount).toBe(7);
    expect(result.skipped.map((item) => item.path).sort()).toEqual(['/docs/a-fifo', '/docs/absolute-link']);
    expect(readFileSync(join(destination, 'docs/guide.txt'), 'utf8')).toBe('A guide.\n'.repeat(1000));
  });

  it('info prints formats, identifiers and dates', async () => {
    const run = await isotope(['info', xorrisoFeaturesIsoPath()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Formats: +iso9660, joliet, rockridge$/m);
    expect(run.stdout).toMatch(/^Publisher: +ISOTOPE_TESTS$/m);
  });
});

describe('image:extract through the contract (desktop and web shells)', () => {
  /** A web-shell service; image calls in this thread, as the worker would run them. */
  const webService = () => createService({ shell: 'web', version: '0.0.0-test', log: () => undefined, imageParser: inProcessImageParser });
  let home = '';
  let savedHome: string | undefined;
  beforeEach(() => {
    home = mkdtempSync(join(scratch, 'home-'));
    savedHome = process.env['HOME'];
    process.env['HOME'] = home;
  });
  afterEach(() => {
    if (savedHome === undefined) delete process.env['HOME'];
    else process.env['HOME'] = savedHome;
  });

  it('extracts only into the home folder: a folder outside it, or a link in it pointing outside, is refused; the CLI may write anywhere', async () => {
    const outside = mkdtempSync(join(scratch, 'autostart-'));
    const request = { path: xorrisoFeaturesIsoPath(), entries: ['/README.TXT'] };
    expect(await webService().invoke('image:extract', { ...request, destination: join(outside, 'new') })).toMatchObject({
      ok: false,
      error: { code: 'destination-not-allowed' },
    });
    symlinkSync(outside, join(home, 'looks-like-home'));
    expect(await webService().invoke('image:extract', { ...request, destination: join(home, 'looks-like-home', 'sub') })).toMatchObject({
      ok: false,
      error: { code: 'destination-not-allowed' },
    });
    expect(readdirSync(outside)).toEqual([]);
    expect(await runJob(webService(), 'extract', 'image:extract', { ...request, destination: join(home, 'Downloads', 'iso') })).toMatchObject({
      ok: true,
      value: { fileCount: 1 },
    });
    expect(existsSync(join(home, 'Downloads', 'iso', 'README.TXT'))).toBe(true);
    // The CLI's user typed the destination: not limited to the home folder.
    expect(await runJob(service(), 'extract', 'image:extract', { ...request, destination: join(outside, 'cli') })).toMatchObject({ ok: true });
  });

  it('answers shared-extents for files sharing extents beyond the image size, and extracts them with allowSharedExtents', async () => {
    const records = Array.from({ length: 16 }, (_, index) =>
      directoryRecord({ identifier: `F${index};1`, lba: 30, sizeBytes: 64 * 1024, systemUse: concat(rr.px(0o100644), rr.nm(`link-${index}`)) }),
    );
    const root = directoryExtent({ selfLba: 20, parentLba: 20, selfSystemUse: rockRidgeRootSystemUse(), records });
    const imagePath = join(scratch, 'hard-links.iso');
    writeFileSync(imagePath, buildIso({ sectorCount: 30 + (64 * 1024) / sector, rootLba: 20, sectors: new Map([[20, root]]) }));
    const destination = join(home, 'out');
    mkdirSync(destination);
    expect(await runJob(webService(), 'extract', 'image:extract', { path: imagePath, destination })).toMatchObject({
      ok: false,
      error: { code: 'shared-extents', message: expect.stringContaining('allowSharedExtents') },
    });
    expect(readdirSync(destination)).toEqual([]);
    expect(await runJob(webService(), 'extract', 'image:extract', { path: imagePath, destination, allowSharedExtents: true })).toMatchObject({
      ok: true,
      value: { fileCount: 16 },
    });
    // The command asks for the same go-ahead with --allow-shared-extents.
    const refused = await isotope(['extract', imagePath, '--to', join(home, 'cli')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/share data with another file/);
    const allowed = await isotope(['extract', imagePath, '--to', join(home, 'cli'), '--allow-shared-extents', '--json']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ fileCount: 16, bytesWritten: 16 * 64 * 1024 });
  });
});
