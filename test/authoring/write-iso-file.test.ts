// writeIsoFile and checkIsoOutput on real files: the bytes and their SHA-256 as planned, the partial
// file gone after a failure or a cancel, no file replaced unasked, no write begun without room, and
// an output inside a source or equal to one refused before any work.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, linkSync, symlinkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IsoLayoutSummary } from '../../shared/authoring.ts';
import type { PlannedIso } from '../../src-main/authoring/iso-authoring.ts';
import { placedAt } from '../../src-main/authoring/iso-sector-layout.ts';
import { planIso } from '../../src-main/authoring/plan-iso.ts';
import { maxSummaryFileRegions } from '../../src-main/authoring/plan-summary.ts';
import { treeFileSource } from '../../src-main/authoring/tree-file-source.ts';
import { checkIsoOutput, writeIsoFile } from '../../src-main/authoring/write-iso-file.ts';
import { composeSource } from '../../src-main/io/composed-source.ts';
import { isRoot } from '../flash/loop-devices.ts';
import { authoringOptions, directoryNode, fileNode, zeroSource } from './plan-iso-fixtures.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-write-iso-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mebibyte = 1024 * 1024;

/** A summary with only what the writer reads of it (the regions name the progress subject). */
function summaryWith(sizeBytes: number, regions: IsoLayoutSummary['regions']): IsoLayoutSummary {
  return {
    sizeBytes,
    sectorCount: sizeBytes / 2048,
    fileCount: 1,
    directoryCount: 1,
    fileBytes: sizeBytes,
    label: 'TEST',
    level: 3,
    namespaces: { rockRidge: false, joliet: false, udf: false },
    regions,
    regionsOmitted: 0,
    boot: { entries: [], hybrid: { mbr: false, gpt: false, apm: false }, detected: [] },
    renamed: [],
    warnings: [],
  };
}

/** A planned "image": 32 KiB of header bytes, then a real file's content read through treeFileSource. */
function plannedWithFile(name: string, sizeBytes: number): { planned: PlannedIso; filePath: string; expected: Buffer } {
  const filePath = join(scratch, name);
  const content = Buffer.alloc(sizeBytes);
  for (let offset = 0; offset < sizeBytes; offset += 4096) content.writeUInt32LE(offset, offset);
  writeFileSync(filePath, content);
  const stats = statSync(filePath);
  const header = new Uint8Array(32 * 1024).fill(0xcd);
  const source = composeSource('test image', header.byteLength + sizeBytes, [
    { offsetBytes: 0, bytes: header },
    {
      offsetBytes: header.byteLength,
      lengthBytes: sizeBytes,
      source: treeFileSource(filePath, { sizeBytes, modifiedMs: stats.mtimeMs }),
      sourceOffsetBytes: 0,
    },
  ]);
  const regions = [
    { name: 'system area', startLba: 0, sectorCount: 16 },
    { name: `file /${name}`, startLba: 16, sectorCount: sizeBytes / 2048 },
  ];
  const regionAt = (offsetBytes: number) => placedAt(regions, Math.floor(offsetBytes / 2048))?.name ?? null;
  return { planned: { summary: summaryWith(source.sizeBytes, regions), source, regionAt }, filePath, expected: Buffer.concat([header, content]) };
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  return promise.then(
    () => ({ code: 'none', message: 'no error' }),
    (error: { code: string; message: string }) => ({ code: error.code, message: error.message }),
  );
}

const quiet = { signal: new AbortController().signal, onProgress: () => undefined };

describe('writeIsoFile', () => {
  it('writes the planned bytes in order with their SHA-256, names the file being written as the subject, and leaves no partial file', async () => {
    const { planned, expected } = plannedWithFile('data.bin', 20 * mebibyte);
    const outputPath = join(scratch, 'whole.iso');
    const subjects = new Set<string | null>();
    const result = await writeIsoFile(
      planned,
      { jobId: 'job-1', outputPath, overwrite: false },
      { signal: new AbortController().signal, onProgress: (_done, _total, subject) => subjects.add(subject) },
    );
    const written = readFileSync(outputPath);
    expect(written.equals(expected)).toBe(true);
    expect(result).toMatchObject({ jobId: 'job-1', outputPath, sizeBytes: expected.byteLength });
    expect(result.sha256Hex).toBe(createHash('sha256').update(expected).digest('hex'));
    expect([...subjects]).toEqual(['system area', 'file /data.bin']);
    expect(existsSync(`${outputPath}.partial`)).toBe(false);
  });

  it('names the file being written as the subject throughout, past the files the summary lists', async () => {
    const small = Array.from({ length: maxSummaryFileRegions + 1 }, (_, index) => fileNode(`f-${String(index).padStart(4, '0')}.txt`, `${index}`));
    const planned = await planIso(authoringOptions(directoryNode('', [...small, fileNode('zz-big.bin', zeroSource(16 * mebibyte))])));
    expect(planned.summary.regions.map((region) => region.name)).not.toContain('file /zz-big.bin');
    const subjects = new Set<string | null>();
    await writeIsoFile(
      planned,
      { jobId: 'job-subjects', outputPath: join(scratch, 'subjects.iso'), overwrite: false, sha256: false },
      { signal: new AbortController().signal, onProgress: (_done, _total, subject) => subjects.add(subject) },
    );
    expect(subjects).toContain('file /zz-big.bin');
    expect(subjects).not.toContain(null);
  });

  it('writes the same bytes without a SHA-256 when asked not to compute one (sha256Hex null)', async () => {
    const { planned, expected } = plannedWithFile('plain.bin', 10 * mebibyte);
    const outputPath = join(scratch, 'plain.iso');
    const result = await writeIsoFile(planned, { jobId: 'job-plain', outputPath, overwrite: false, sha256: false }, quiet);
    expect(readFileSync(outputPath).equals(expected)).toBe(true);
    expect(result.sha256Hex).toBeNull();
  });

  it('fails with source-changed when a file grows while it is written, and leaves neither output nor partial file', async () => {
    const { planned, filePath } = plannedWithFile('growing.bin', 24 * mebibyte);
    const outputPath = join(scratch, 'grown.iso');
    let grown = false;
    const failure = await failureOf(
      writeIsoFile(
        planned,
        { jobId: 'job-2', outputPath, overwrite: false },
        {
          signal: new AbortController().signal,
          // After the first chunk: the file is part read, and grows before its last byte.
          onProgress: () => {
            if (!grown) appendFileSync(filePath, 'grown');
            grown = true;
          },
        },
      ),
    );
    expect(failure.code).toBe('source-changed');
    expect(failure.message).toContain(`${filePath} changed while the image was made (after its last byte was read)`);
    expect(existsSync(outputPath)).toBe(false);
    expect(existsSync(`${outputPath}.partial`)).toBe(false);
  });

  it('ends cancelled when its signal is aborted mid-write, and leaves neither output nor partial file', async () => {
    const { planned } = plannedWithFile('cancelled.bin', 24 * mebibyte);
    const outputPath = join(scratch, 'cancelled.iso');
    const controller = new AbortController();
    const failure = await failureOf(
      writeIsoFile(planned, { jobId: 'job-3', outputPath, overwrite: false }, { signal: controller.signal, onProgress: () => controller.abort() }),
    );
    expect(failure.code).toBe('cancelled');
    expect(existsSync(outputPath)).toBe(false);
    expect(existsSync(`${outputPath}.partial`)).toBe(false);
  });

  it('leaves a file that appeared at the output during the write as it is unless asked to overwrite', async () => {
    const { planned, expected } = plannedWithFile('appearing.bin', 12 * mebibyte);
    const outputPath = join(scratch, 'appearing.iso');
    let planted = false;
    const plant = (): void => {
      if (!planted) writeFileSync(outputPath, 'someone else');
      planted = true;
    };
    const failure = await failureOf(writeIsoFile(planned, { jobId: 'job-4', outputPath, overwrite: false }, { ...quiet, onProgress: plant }));
    expect(failure.code).toBe('file-exists');
    expect(readFileSync(outputPath, 'utf8')).toBe('someone else');
    expect(existsSync(`${outputPath}.partial`)).toBe(false);
    await writeIsoFile(plannedWithFile('appearing-2.bin', 12 * mebibyte).planned, { jobId: 'job-5', outputPath, overwrite: true }, quiet);
    expect(readFileSync(outputPath).byteLength).toBe(expected.byteLength);
  });

  it('never replaces or removes a file already named OUT.partial (a stale one, one of the user, a source): refused as file-exists, naming it', async () => {
    const { planned } = plannedWithFile('beside.bin', 1 * mebibyte);
    const outputPath = join(scratch, 'beside.iso');
    writeFileSync(`${outputPath}.partial`, 'not the writer’s');
    const failure = await failureOf(writeIsoFile(planned, { jobId: 'job-7', outputPath, overwrite: true }, quiet));
    expect(failure.code).toBe('file-exists');
    expect(failure.message).toContain(`${outputPath}.partial`);
    expect(readFileSync(`${outputPath}.partial`, 'utf8')).toBe('not the writer’s');
    expect(existsSync(outputPath)).toBe(false);
  });

  it('refuses an image larger than the free space before writing anything', async () => {
    const hugeBytes = 2 ** 52; // 4 PiB of zeros: no test machine has the room
    const source = composeSource('huge image', hugeBytes, []);
    const outputPath = join(scratch, 'huge.iso');
    const planned = { summary: summaryWith(hugeBytes, []), source, regionAt: () => null };
    const failure = await failureOf(writeIsoFile(planned, { jobId: 'job-6', outputPath, overwrite: false }, quiet));
    expect(failure.code).toBe('no-space');
    expect(failure.message).toContain(`the image is ${hugeBytes} bytes`);
    expect(existsSync(`${outputPath}.partial`)).toBe(false);
  });
});

describe.skipIf(!isRoot)('writeIsoFile on a file system that fills up meanwhile (tmpfs mounts need root)', () => {
  it('ends no-space naming the output when a write of the thread pool fails mid-image, reports no byte past it, and leaves no partial file', async () => {
    const small = join(scratch, 'filling');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', small]);
    try {
      const { planned } = plannedWithFile('filling.bin', 12 * mebibyte);
      const outputPath = join(small, 'filling.iso');
      const reportedBytes: number[] = [];
      // The free-space check passes (12 MiB of 16); after the first slot is written, someone else takes 10 MiB.
      const onProgress = (bytesDone: number): void => {
        if (reportedBytes.length === 0) writeFileSync(join(small, 'someone-else.bin'), Buffer.alloc(10 * mebibyte, 1));
        reportedBytes.push(bytesDone);
      };
      const failure = await failureOf(writeIsoFile(planned, { jobId: 'job-full', outputPath, overwrite: false, sha256: false }, { ...quiet, onProgress }));
      expect(failure.code).toBe('no-space');
      expect(failure.message).toContain(`writing ${outputPath}`);
      expect(existsSync(`${outputPath}.partial`)).toBe(false);
      expect(existsSync(outputPath)).toBe(false);
      // Progress counts only bytes written: it grows, and stops short of the image at the failed write.
      expect(reportedBytes).toEqual([...reportedBytes].sort((a, b) => a - b));
      expect(reportedBytes.at(-1)).toBeLessThanOrEqual(6 * mebibyte);
      expect(statSync(join(small, 'someone-else.bin')).size).toBe(10 * mebibyte);
    } finally {
      execFileSync('umount', [small], { stdio: 'ignore' });
    }
  });
});

describe('checkIsoOutput', () => {
  const tree = join(scratch, 'tree');
  mkdirSync(join(tree, 'sub'), { recursive: true });
  writeFileSync(join(tree, 'file.txt'), 'x');

  it('refuses an output inside a source folder, or in it, naming both', async () => {
    for (const outputPath of [join(tree, 'out.iso'), join(tree, 'sub/out.iso')]) {
      const failure = await failureOf(checkIsoOutput({ outputPath, overwrite: false, sources: [tree] }));
      expect(failure.code).toBe('output-on-source');
      expect(failure.message).toContain(`${outputPath} lies inside ${tree}`);
    }
    await expect(checkIsoOutput({ outputPath: join(scratch, 'beside.iso'), overwrite: false, sources: [tree] })).resolves.toBeUndefined();
  });

  it('refuses an output reaching into a source folder through a symbolic link', async () => {
    const link = join(scratch, 'link-to-tree');
    symlinkSync(tree, link);
    const failure = await failureOf(checkIsoOutput({ outputPath: join(link, 'sub/out.iso'), overwrite: false, sources: [tree] }));
    expect(failure.code).toBe('output-on-source');
  });

  it('refuses an output that is a source file, even overwriting and through a hard link', async () => {
    const source = join(scratch, 'original.iso');
    writeFileSync(source, 'original');
    linkSync(source, join(scratch, 'second-name.iso'));
    const failure = await failureOf(checkIsoOutput({ outputPath: join(scratch, 'second-name.iso'), overwrite: true, sources: [source] }));
    expect(failure.code).toBe('output-on-source');
  });

  it('refuses an existing file unless overwriting, something not a file always, and a missing folder', async () => {
    const existing = join(scratch, 'existing.iso');
    writeFileSync(existing, 'old');
    expect((await failureOf(checkIsoOutput({ outputPath: existing, overwrite: false, sources: [tree] }))).code).toBe('file-exists');
    await expect(checkIsoOutput({ outputPath: existing, overwrite: true, sources: [tree] })).resolves.toBeUndefined();
    expect((await failureOf(checkIsoOutput({ outputPath: join(scratch, 'tree'), overwrite: true, sources: [] }))).code).toBe('not-a-file');
    expect((await failureOf(checkIsoOutput({ outputPath: join(scratch, 'no-folder/out.iso'), overwrite: false, sources: [] }))).code).toBe('not-found');
  });
});
