// Writing while downloading (issue 19, Proof: "Write while downloading to two loop devices"): the
// local fault server (test/net/https-fault-server.ts, its own CA handed to the client) serves the
// image; two loop devices over junk-filled files in /dev/shm are written as the bytes arrive. A good
// download gives two sticks identical to the source and verified; a cut with no resume possible, a
// checksum the sums file next to the URL disagrees with, and a stall each fail the write clearly
// and leave both sticks with their first and last MiB zeroed. Also the built CLI end to end.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FlashResult } from '../../shared/flash.ts';
import { flashFromDownload, type FlashFromDownloadOptions } from '../../src-main/flash/flash-from-download.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { assertBuilt, isotopeBin } from '../helpers/built-cli.ts';
import { startFaultServer, type FaultServer } from '../net/https-fault-server.ts';
import { LoopDevices, isRoot, readBytes, rootSkipReason } from './loop-devices.ts';
import { withoutProxy } from '../helpers/no-proxy.ts';

const MiB = 1024 * 1024;
const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
/** Many 4 MiB chunks and a ragged tail: the head (written last), whole chunks and a short one. */
const imageBytes = 22 * MiB + 4096 + 512;
/** Larger than the image: the last MiB of each stick lies past the image's bytes. */
const stickBytes = 32 * MiB;

describe.skipIf(!isRoot)(`writing while downloading (${rootSkipReason})`, () => {
  let dir = '';
  let server: FaultServer;
  const image = randomBytes(imageBytes);
  const imageSha256 = createHash('sha256').update(image).digest('hex');
  /** Same length, other bytes: the sums file names this one's SHA-256 wrongly. */
  const forged = randomBytes(imageBytes);
  const loops = new LoopDevices();
  let sticks: string[] = [];
  let backings: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync('/dev/shm/isotope-flash-url-');
    process.env.ISOTOPE_HOME = join(dir, 'home');
    const sums = `${imageSha256}  image.img\n${imageSha256}  forged.img\n`;
    server = await startFaultServer({ files: { 'image.img': image, 'forged.img': forged, SHA256SUMS: Buffer.from(sums) } });
    backings = ['a', 'b'].map((name) => join(dir, `stick-${name}.bin`));
  });
  beforeEach(() => {
    loops.detachAll();
    // Junk everywhere (0xA5): a zeroed first or last MiB afterwards is the marking, not what was there.
    for (const backing of backings) writeFileSync(backing, Buffer.alloc(stickBytes, 0xa5));
    sticks = backings.map((backing) => loops.attach(backing));
  });
  afterAll(async () => {
    loops.detachAll();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `path` on the fault server, unless `options.download` names the URLs itself. */
  const flash = (path: string, options: Partial<FlashFromDownloadOptions> = {}): Promise<FlashResult> =>
    flashFromDownload({
      download: { url: `${server.origin}${path}` },
      http: { extraCaPem: server.caPem, stallTimeoutMs: 2000, env: {} },
      targets: sticks.map((path) => ({ path })),
      verify: true,
      includeAll: true,
      ...options,
    });

  const expectIdenticalToSource = (): void => {
    for (const stick of sticks) expect(sha256Of(readBytes(stick, 0, imageBytes)), stick).toBe(imageSha256);
  };

  const expectMarkedUnusable = (): void => {
    for (const stick of sticks) {
      expect(readBytes(stick, 0, MiB).equals(Buffer.alloc(MiB)), `${stick}: first MiB zeroed`).toBe(true);
      expect(readBytes(stick, stickBytes - MiB, MiB).equals(Buffer.alloc(MiB)), `${stick}: last MiB zeroed`).toBe(true);
    }
  };

  it('writes two loop devices as the bytes arrive: both identical to the source, verified, the SHA-256 the download read', async () => {
    const result = await flash('/file/image.img');
    expect(result.outcome, JSON.stringify(result.targets)).toBe('succeeded');
    expect(result.targets.map((target) => target.outcome)).toEqual(['verified', 'verified']);
    expectIdenticalToSource();
    expect(result.source.sha256Hex).toBe(imageSha256);
    expect(result.download?.result?.sha256).toBe(imageSha256);
    expect(result.download?.result?.verification?.verdict).toBe('matches-unsigned');
    expect(result.download?.failure).toBeNull();
    // The download's file is the one written: the cache holds it complete, under its own name.
    expect(result.source.path).toBe(result.download?.result?.path);
    expect(result.source.path).not.toMatch(/\.partial$/);
    expect(sha256Of(readFileSync(result.download!.result!.path))).toBe(imageSha256);
  });

  it('reports the finished download (renamed, its SHA-256 read) as it completes, before the write gives its result, so its assessment need not wait for the write', async () => {
    const seen: { path: string; sha256: string; existed: boolean; writeResultGiven: boolean }[] = [];
    let writeResultGiven = false;
    const writing = flash('/file/image.img', {
      onDownloaded: (downloaded) =>
        void seen.push({ path: downloaded.path, sha256: downloaded.sha256, existed: existsSync(downloaded.path), writeResultGiven }),
    });
    // Whether the sticks' own write and read-back are over by then is a race these fast loop devices
    // win as often as not (a real stick is slower); the report never waits for the write's result.
    const result = await writing.finally(() => (writeResultGiven = true));
    expect(result.outcome, JSON.stringify(result.targets)).toBe('succeeded');
    expect(seen).toEqual([{ path: result.download?.result?.path, sha256: imageSha256, existed: true, writeResultGiven: false }]);
  });

  it('fails a write whose download is cut with no resume possible, leaving both sticks unusable', async () => {
    // Cut at 9 MiB, and no validator lets a resume prove the rest is the same file.
    const result = await flash(`/cut/${9 * MiB}/no-validators/file/image.img`);
    expect(result.outcome).toBe('failed');
    for (const target of result.targets) {
      expect(target.outcome).toBe('failed');
      expect(target.error?.message).toMatch(/left unusable .*because the download failed/);
    }
    expect(result.download?.unusableTargets).toEqual(sticks);
    expectMarkedUnusable();
  });

  it('goes on from a mirror after a cut: the sticks written before and after the cut are identical to the source and verified', async () => {
    const cutUrl = `${server.origin}/cut/${9 * MiB}/file/image.img`;
    const result = await flash('', { download: { url: cutUrl, mirrors: [`${server.origin}/file/image.img`] } });
    expect(result.outcome, JSON.stringify(result.targets)).toBe('succeeded');
    expect(result.download?.result?.resumedFromBytes).toBeGreaterThan(0);
    expectIdenticalToSource();
  });

  it('fails a write whose mirror went on with other bytes after a cut (caught by the hash), leaving both sticks unusable', async () => {
    const cutUrl = `${server.origin}/cut/${9 * MiB}/file/image.img`;
    const result = await flash('', { download: { url: cutUrl, mirrors: [`${server.origin}/other-bytes/file/image.img`] } });
    expect(result.outcome).toBe('failed');
    expect(result.download?.failure).toMatch(/mismatch/);
    expectMarkedUnusable();
  });

  it('fails a write whose bytes the sums file next to the URL disagrees with, leaving both sticks unusable', async () => {
    const result = await flash('/file/forged.img');
    expect(result.outcome).toBe('failed');
    // The download itself completed: the bytes are on the sticks, but no one vouches for them.
    expect(result.download?.result?.verification?.verdict).toBe('mismatch');
    expect(result.download?.failure).toMatch(/checksums for .* do not vouch for the download \(mismatch/);
    for (const target of result.targets) expect(target.error?.message).toMatch(/left unusable \(its first and last MiB zeroed\)/);
    expectMarkedUnusable();
  });

  it('fails a write whose download stalls, after the stall timeout, once the bytes before the stall were already on the sticks', async () => {
    const stallAtBytes = 12 * MiB;
    let writtenBeforeStall = false;
    // While the download waits at the stall, the sticks already hold the bytes that arrived (the head is written last).
    const watch = setInterval(() => {
      const probe = readBytes(sticks[0]!, 4 * MiB, 4 * MiB);
      if (probe.equals(image.subarray(4 * MiB, 8 * MiB))) writtenBeforeStall = true;
    }, 100);
    const startedMs = Date.now();
    const result = await flash(`/stall/${stallAtBytes}/file/image.img`).finally(() => clearInterval(watch));
    expect(writtenBeforeStall).toBe(true);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(2000);
    expect(result.outcome).toBe('failed');
    expect(result.download?.failure).toMatch(/stall/);
    expectMarkedUnusable();
  });

  /** The built CLI, run without blocking this process (the fault server answers it). */
  const runCli = async (args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> => {
    assertBuilt();
    const child = spawn(process.execPath, [isotopeBin, ...args], {
      cwd: repoRoot,
      env: { ...withoutProxy(), ISOTOPE_HOME: join(dir, 'cli-home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { status, stdout, stderr };
  };

  it('isotope flash URL says each stick was left unusable and why when the sums file disagrees, and exits 1', async () => {
    const { status, stdout, stderr } = await runCli(['flash', `${server.httpOrigin}/file/forged.img`, ...sticks, '--yes', '--unsafe']);
    expect(status, stderr).toBe(1);
    expect(stderr).toContain('Not assessed before writing');
    for (const stick of sticks)
      expect(stdout).toMatch(new RegExp(`${stick}: the stick was left unusable because the checksums for .* do not vouch for the download \\(mismatch`));
    expectMarkedUnusable();
  });

  it('isotope flash URL --json writes while downloading, reports both progresses and the result, and records the job in the history', async () => {
    const url = `${server.httpOrigin}/file/image.img`;
    const { status, stdout, stderr } = await runCli(['flash', url, ...sticks, '--yes', '--unsafe', '--json']);
    expect(status, stderr).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ event: 'image:not-assessed' });
    expect(lines.some((line) => line['event'] === 'download:progress')).toBe(true);
    expect(lines.some((line) => line['event'] === 'job:progress')).toBe(true);
    // The finished file is assessed afterwards (random bytes: no disk image), never before.
    expect(lines.findIndex((line) => line['event'] === 'image:assessed')).toBeGreaterThan(0);
    const result = lines.at(-1) as unknown as FlashResult & { event: string };
    expect(result.event).toBe('job:finished');
    expect(result.outcome).toBe('succeeded');
    expect(result.source.sha256Hex).toBe(imageSha256);
    expect(result.download?.result?.verification?.verdict).toBe('matches-unsigned');
    expectIdenticalToSource();
    // The history holds the job: the URL as the image, then the file it became and the SHA-256 the write read.
    const journal = readFileSync(join(dir, 'cli-home', 'history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const started = journal.find((event) => event['event'] === 'started' && (event['image'] as { url: string }).url === url);
    expect(started).toMatchObject({ kind: 'flash', mode: 'raw' });
    const ended = journal.find((event) => event['event'] === 'ended' && event['id'] === started?.['id']);
    expect(ended).toMatchObject({ outcome: 'succeeded', verify: 'passed', image: { sha256: imageSha256, path: result.source.path } });
  });
});
