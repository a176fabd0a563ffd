// Issue 16: a compressed image's digests and its decoded content's, from one pass, matched against
// sums files and pasted values that give either. The oracles are the real tools: sha256sum & co. of
// the compressed file, and of what `xz -dc` (gzip, zstd, bzip2, unzip -p) decodes from it.
import { execFileSync, execSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CompareResult, HashAlgorithm, HashDigests, VerificationReport } from '../../shared/checksum.ts';
import { hashCompressedFile } from '../../src-main/checksum/hash-compressed.ts';
import { decodeToCache } from '../../src-main/container/decoded-cache.ts';
import { CancelledError } from '../../src-main/jobs/errors.ts';
import { createService } from '../../src-main/service/service.ts';
import { deterministicBytes } from '../fixtures/checksum-signed-sums.ts';
import { runJob } from '../helpers/run-job.ts';
import { coreutilsDigest, coreutilsDigests } from './coreutils.ts';
import { runIsotope } from './run-cli.ts';

const fourAlgorithms: readonly HashAlgorithm[] = ['md5', 'sha1', 'sha256', 'sha512'];
let home: string;
let dir: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'isotope-home-'));
  dir = mkdtempSync(join(tmpdir(), 'isotope-compressed-'));
  process.env.ISOTOPE_HOME = home;
  return () => {
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };
});

/**
 * foo.img: 5 MiB of varied bytes, zero runs and a tail that is not a multiple of any chunk, so the
 * decoders cross several 1 MiB input chunks and expand runs of zeros.
 */
function writeImage(folder: string, name = 'foo.img'): string {
  const path = join(folder, name);
  const image = Buffer.alloc(5 * 1024 * 1024 + 4099);
  image.set(deterministicBytes(1024 * 1024 + 512 * 1024, 7), 0);
  image.set(deterministicBytes(512 * 1024 + 4099, 8), image.length - 512 * 1024 - 4099);
  writeFileSync(path, image);
  return path;
}

interface Compressed {
  readonly path: string;
  /** What the real tool decodes from it (the oracle of the content digests). */
  readonly decodedPath: string;
}

/** Compresses foo.img with the real tool, then leaves only the compressed file beside the sums files. */
function compress(kind: 'xz' | 'gzip' | 'zstd' | 'bzip2' | 'zip-deflated' | 'zip-stored'): Compressed {
  const folder = join(dir, kind);
  mkdirSync(folder);
  const image = writeImage(folder);
  const tools = {
    xz: [`xz -T1 -k ${image}`, '.xz', `xz -dc`],
    gzip: [`gzip -k ${image}`, '.gz', 'gzip -dc'],
    zstd: [`zstd -q -k ${image}`, '.zst', 'zstd -dc'],
    bzip2: [`bzip2 -k ${image}`, '.bz2', 'bzip2 -dc'],
    'zip-deflated': [`cd ${folder} && zip -q foo.zip foo.img`, '', 'unzip -p'],
    'zip-stored': [`cd ${folder} && zip -q -0 foo.zip foo.img`, '', 'unzip -p'],
  } as const;
  const [command, suffix, decoder] = tools[kind];
  execSync(command);
  const path = suffix === '' ? join(folder, 'foo.zip') : `${image}${suffix}`;
  rmSync(image);
  const decodedPath = join(dir, `${kind}.decoded`);
  execSync(`${decoder} ${path} > ${decodedPath}`);
  return { path, decodedPath };
}

async function hashJson(path: string, extra: readonly string[] = []): Promise<Record<string, unknown>> {
  const run = await runIsotope(['hash', path, '--json', ...extra]);
  expect(run.exitCode, run.stderr).toBe(0);
  return run.json();
}

async function check(args: readonly string[]): Promise<{ exitCode: number | null; report: VerificationReport; stdout: string }> {
  const run = await runIsotope(['check', ...args, '--json']);
  const text = await runIsotope(['check', ...args]);
  return { exitCode: run.exitCode, report: run.json<VerificationReport>(), stdout: text.stdout };
}

describe('isotope hash of a compressed image', () => {
  it.each(['xz', 'gzip', 'zstd', 'bzip2', 'zip-deflated', 'zip-stored'] as const)(
    'gives the compressed file digests coreutils gives and the content digests of what the real tool decodes (%s)',
    async (kind) => {
      const { path, decodedPath } = compress(kind);
      const json = await hashJson(path);
      const { content, ...fileDigests } = json as HashDigests & {
        content: { digests: HashDigests; decodedSizeBytes: number; source: string; contentName: string };
      };
      expect(fileDigests).toEqual(coreutilsDigests(path, fourAlgorithms));
      expect(content.digests).toEqual(coreutilsDigests(decodedPath, fourAlgorithms));
      expect(content).toMatchObject({ decodedSizeBytes: readFileSync(decodedPath).length, source: 'decoded-in-pass', contentName: 'foo.img' });
    },
  );

  it('prints the content digests under the content name after a line saying they were decoded in this pass', async () => {
    const { path, decodedPath } = compress('xz');
    const run = await runIsotope(['hash', path, '--algorithm', 'sha256']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      `SHA256 (${path}) = ${coreutilsDigest('sha256', path)}\n` +
        `# the decoded content of ${path} (${readFileSync(decodedPath).length} bytes, decoded in this pass):\n` +
        `SHA256 (foo.img) = ${coreutilsDigest('sha256', decodedPath)}\n`,
    );
  });

  it('decodes the content in the pass even when a decoded cache file of this file version exists, so bytes changed in the cache file never reach a digest', async () => {
    const { path, decodedPath } = compress('gzip');
    const entry = await decodeToCache(path);
    // Same size, same sidecar, same compressed file: only the cache file's bytes differ.
    const handle = openSync(entry.cachePath, 'r+');
    writeSync(handle, Buffer.from('not the image'), 0, 13, 4096);
    closeSync(handle);
    const json = await hashJson(path);
    expect(json.content).toMatchObject({ source: 'decoded-in-pass', digests: coreutilsDigests(decodedPath, fourAlgorithms) });
    expect(json.sha256).toBe(coreutilsDigest('sha256', path));
  });

  it('remembers both sets of digests per file version and shows them as remembered with --cached', async () => {
    const { path, decodedPath } = compress('zstd');
    await hashJson(path);
    const cached = await hashJson(path, ['--cached']);
    expect(cached).toEqual({
      remembered: { digests: coreutilsDigests(path, fourAlgorithms), content: coreutilsDigests(decodedPath, fourAlgorithms), computedAtMs: expect.any(Number) },
    });
  });

  it('fails a truncated .xz as a corrupt image (exit 3) and gives no content digest', async () => {
    const { path } = compress('xz');
    truncateSync(path, readFileSync(path).length - 5000);
    const run = await runIsotope(['hash', path, '--json']);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).not.toContain('"content"');
    expect(run.stderr + run.stdout).toMatch(/xz data is damaged after \d+ decoded bytes/);
  });

  it.each(['gzip', 'zstd', 'bzip2'] as const)('fails a truncated %s image as corrupt, naming the decoded offset its decoder stopped at', async (kind) => {
    const { path } = compress(kind);
    truncateSync(path, readFileSync(path).length - 5000);
    const run = await runIsotope(['hash', path]);
    expect(run.exitCode).toBe(3);
    expect(run.stderr + run.stdout).toMatch(new RegExp(`the ${kind} data is damaged after \\d+ decoded bytes`));
  });

  it.each(['xz', 'gzip'] as const)('stops with CancelledError when cancelled mid-pass, after its first chunk (%s)', async (kind) => {
    const { path } = compress(kind);
    const controller = new AbortController();
    const pass = hashCompressedFile(path, kind, {
      algorithms: ['sha256'],
      chunkBytes: 64 * 1024,
      progressIntervalMs: 0,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.bytesHashed > 0) controller.abort();
      },
    });
    await expect(pass).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('isotope check of a compressed image against sums files', () => {
  it('verifies foo.img.xz by its content when SHA256SUMS names only foo.img (as Armbian publishes)', async () => {
    const { path, decodedPath } = compress('xz');
    writeFileSync(join(dir, 'xz', 'SHA256SUMS'), `${coreutilsDigest('sha256', decodedPath)}  foo.img\n`);
    const { exitCode, report, stdout } = await check([path]);
    expect(report.verdict).toBe('matches-unsigned');
    expect(exitCode).toBe(0);
    expect(report.matchedOn).toEqual(['content']);
    expect(report.content).toMatchObject({ source: 'decoded-in-pass', contentName: 'foo.img' });
    expect(report.sumsFiles[0]?.comparisons).toEqual([
      expect.objectContaining({
        subject: 'content',
        matches: true,
        actual: coreutilsDigest('sha256', decodedPath),
        source: expect.objectContaining({ entryName: 'foo.img' }),
      }),
    ]);
    expect(stdout).toContain(`match    sha256 of the content of foo.img.xz as foo.img ${coreutilsDigest('sha256', decodedPath)}`);
  });

  it('verifies foo.img.xz by the file when SHA256SUMS names only foo.img.xz (as Raspberry Pi OS publishes)', async () => {
    const { path } = compress('xz');
    writeFileSync(join(dir, 'xz', 'foo.img.xz.sha256'), `${coreutilsDigest('sha256', path)}  foo.img.xz\n`);
    const { exitCode, report } = await check([path]);
    expect(report.verdict).toBe('matches-unsigned');
    expect(exitCode).toBe(0);
    expect(report.matchedOn).toEqual(['file']);
    expect(report.sumsFiles[0]?.comparisons).toEqual([expect.objectContaining({ subject: 'file', matches: true, actual: coreutilsDigest('sha256', path) })]);
  });

  it('matches an entry of another name whose digest is the content digest, saying it matched the content', async () => {
    const { path, decodedPath } = compress('bzip2');
    writeFileSync(join(dir, 'bzip2', 'SHA256SUMS'), `${coreutilsDigest('sha256', decodedPath)}  2024-11-19-foo-arm64.img\n`);
    const { report } = await check([path]);
    expect(report.verdict).toBe('matches-unsigned');
    expect(report.sumsFiles[0]?.comparisons).toEqual([expect.objectContaining({ subject: 'content', matches: true })]);
  });

  it('verifies a clear-signed sums file holding the content digest, signed by a key made here with gpg and imported', async () => {
    const { path, decodedPath } = compress('zstd');
    const gnupgHome = mkdtempSync(join(tmpdir(), 'isotope-gnupg-'));
    try {
      const gpg = (args: readonly string[]): string =>
        execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
          env: { ...process.env, GNUPGHOME: gnupgHome },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      gpg(['--quick-gen-key', 'Image Publisher <images@example.org>', 'ed25519', 'sign', 'never']);
      const keyPath = join(gnupgHome, 'publisher.asc');
      writeFileSync(keyPath, gpg(['--armor', '--export', 'images@example.org']));
      const sumsPath = join(dir, 'zstd', 'SHA256SUMS');
      writeFileSync(sumsPath, `${coreutilsDigest('sha256', decodedPath)}  foo.img\n`);
      gpg(['--clearsign', '--output', `${sumsPath}.signed`, sumsPath]);
      writeFileSync(sumsPath, readFileSync(`${sumsPath}.signed`));
      rmSync(`${sumsPath}.signed`);
      expect((await runIsotope(['keys', 'import', keyPath, '--yes'])).exitCode).toBe(0);
      const { exitCode, report } = await check([path]);
      expect(report.verdict).toBe('verified');
      expect(exitCode).toBe(0);
      expect(report.matchedOn).toEqual(['content']);
      expect(report.sumsFiles[0]?.signature.status).toBe('good');
    } finally {
      rmSync(gnupgHome, { recursive: true, force: true });
    }
  });

  it('fails a wrong content digest as a mismatch naming both the file and the content digests', async () => {
    const { path, decodedPath } = compress('xz');
    const wrong = coreutilsDigest('sha256', path).replace(/^./, (first) => (first === '0' ? '1' : '0'));
    writeFileSync(join(dir, 'xz', 'SHA256SUMS'), `${wrong}  foo.img\n`);
    const { exitCode, report } = await check([path]);
    expect(report.verdict).toBe('mismatch');
    expect(exitCode).toBe(1);
    expect(report.sumsFiles[0]?.comparisons).toEqual([expect.objectContaining({ subject: 'content', matches: false })]);
    const reason = report.reasons.find((line) => line.includes(wrong));
    expect(reason).toContain(coreutilsDigest('sha256', path));
    expect(reason).toContain(coreutilsDigest('sha256', decodedPath));
  });

  it('never says a truncated .xz matches: the check fails as corrupt (exit 3)', async () => {
    const { path, decodedPath } = compress('xz');
    writeFileSync(join(dir, 'xz', 'SHA256SUMS'), `${coreutilsDigest('sha256', decodedPath)}  foo.img\n`);
    truncateSync(path, readFileSync(path).length - 5000);
    const run = await runIsotope(['check', path]);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).not.toMatch(/match/i);
    // Exit 3 is also "nothing to compare": this one is the damage, named.
    expect(run.stderr + run.stdout).toMatch(/xz data is damaged after \d+ decoded bytes/);
  });
});

describe('a pasted digest of a compressed image', () => {
  const service = () => createService({ shell: 'web', version: '0.0.0-test', log: () => undefined });

  it('matches the content digest through checksum:compare and says it matched the content', async () => {
    const { path, decodedPath } = compress('gzip');
    const expected = coreutilsDigest('sha256', decodedPath);
    const result = (await runJob(service(), 'compare', 'checksum:compare', { path, expected })) as { ok: true; value: CompareResult };
    expect(result.value).toMatchObject({ matches: true, matchedOn: 'content', actual: expected, contentActual: expected });
  });

  it('matches the file digest through checksum:compare and says it matched the file', async () => {
    const { path } = compress('gzip');
    const expected = coreutilsDigest('sha1', path);
    const result = (await runJob(service(), 'compare', 'checksum:compare', { path, expected })) as { ok: true; value: CompareResult };
    expect(result.value).toMatchObject({ algorithm: 'sha1', matches: true, matchedOn: 'file', actual: expected });
  });

  it('matches either in isotope check --expected, and fails one that is neither', async () => {
    const { path, decodedPath } = compress('zip-deflated');
    const content = await check([path, '--expect', coreutilsDigest('sha512', decodedPath)]);
    expect(content.report.verdict).toBe('matches-unsigned');
    expect(content.report.pasted).toMatchObject({ subject: 'content', matches: true });
    const neither = await check([path, '--expect', '0'.repeat(64)]);
    expect(neither.report.verdict).toBe('mismatch');
    expect(neither.report.pasted).toMatchObject({ subject: 'file', matches: false, actual: coreutilsDigest('sha256', path) });
  });
});
