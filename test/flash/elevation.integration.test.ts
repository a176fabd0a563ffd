// The elevation path, end to end, without touching the system: inside a private mount namespace,
// /usr/bin gets an overlay with a fake `pkexec` that logs its arguments and hands the command to a
// root daemon (tools/fake-polkit.py), which runs it as root with PKEXEC_UID set to the caller. The
// engine itself runs as an unprivileged user (nobody), as it does on a desktop. Checked here:
// - names full of `$(...)`, quotes, newlines and `;` reach the helper only as data;
// - the helper's scope (issue 12 §1): it writes and reads back only whole block devices of its own
//   enumeration, never a root-only file; it opens the image with the user's rights, so a root-only
//   secret is never copied; the engine elevates only for a target that stat()s as a block device;
// - a write while downloading opens the file the engine reports with the user's rights too, so an
//   engine naming a root-only file gets nothing of it;
// - the helper reads its secret without following a planted symlink;
// - a copy-files write runs through the helper too, which composes the stick itself.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashResult } from '../../shared/flash.ts';
import type { FlashWork } from '../../src-main/flash/flash-work.ts';
import { defaultWimPartBytes, noWindowsOptions } from '../../shared/stick.ts';
import { scanDrives } from '../../src-main/drives/list-drives.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { nonhybridGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { assertBuilt, isotopeBin } from '../helpers/built-cli.ts';
import { nobody, runAsNobodyWithFakePkexec, type RunFolderAdditions } from '../helpers/fake-pkexec.ts';
import { LoopDevices, isRoot, readBytes, rootSkipReason } from './loop-devices.ts';
import type { ElevatedRunSpec } from './tools/elevated-run.ts';

const runner = fileURLToPath(new URL('./tools/elevated-run.ts', import.meta.url));
const loopBytes = 8 * 1024 * 1024;

describe.skipIf(!isRoot)(`elevation through a fake pkexec (${rootSkipReason}; mount namespaces need it too)`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let loop = '';
  let loopBacking = '';
  let rootOnlyDir = '';
  let rootSecret = Buffer.alloc(0);
  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync('/dev/shm/isotope-elevation-');
    chmodSync(dir, 0o755); // the engine (nobody) reads its image and writes its log here
    loopBacking = join(dir, 'loop-backing');
    writeFileSync(loopBacking, Buffer.alloc(loopBytes, 0xa5));
    loop = loops.attach(loopBacking);
    // A root-only folder holding a root-only secret and a root-only file, as /root or /etc/shadow.
    rootOnlyDir = join(dir, 'root-only');
    mkdirSync(rootOnlyDir, { mode: 0o700 });
    rootSecret = Buffer.concat([Buffer.from('ROOT-ONLY-SECRET '), randomBytes(2 * 1024 * 1024)]);
    writeFileSync(join(rootOnlyDir, 'secret.img'), rootSecret, { mode: 0o600 });
    writeFileSync(join(rootOnlyDir, 'secret.img.gz'), gzipSync(rootSecret), { mode: 0o600 });
    writeFileSync(join(rootOnlyDir, 'shadow'), 'root:$6$precious\n', { mode: 0o600 });
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the jobs in the namespace as nobody; returns their results and what pkexec was asked. */
  function runAsUser(jobs: ElevatedRunSpec['jobs'], workingDir = dir): { results: FlashResult[]; cwdAfter: string; pkexecLog: string; canary: string } {
    let canary = '';
    const prepareRun = (run: string): RunFolderAdditions => {
      canary = join(run, 'canary');
      mkdirSync(canary, { mode: 0o777 });
      chmodSync(canary, 0o777);
      const specPath = join(run, 'spec.json');
      writeFileSync(specPath, JSON.stringify({ workingDir, entryPath: isotopeBin, jobs } satisfies ElevatedRunSpec), { mode: 0o644 });
      return { args: [specPath], env: { ISOTOPE_CANARY: `${canary}/` } };
    };
    const result = runAsNobodyWithFakePkexec(dir, [process.execPath, '--import', 'tsx', runner], { prepareRun });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { results, cwdAfter } = JSON.parse(result.stdout) as { results: FlashResult[]; cwdAfter: string };
    return { results, cwdAfter, pkexecLog: result.pkexecLog, canary };
  }

  const flashWork = (imagePath: string, targets: Extract<FlashWork, { kind: 'flash' }>['targets']): FlashWork => ({
    kind: 'flash',
    imagePath,
    targets,
    verify: true,
    includeAll: true,
    eject: false,
  });
  const loopUnchanged = (): boolean => readBytes(loop, 0, loopBytes).equals(Buffer.alloc(loopBytes, 0xa5));

  it('flashes a drive through the helper, with hostile file names that run nothing they spell', () => {
    // No '/' in a file name: the canary directory comes from $ISOTOPE_CANARY (ending in '/') if a shell ever expands it.
    const hostile = (tag: string): string => `$(touch "$ISOTOPE_CANARY"${tag}) \`touch "$ISOTOPE_CANARY"${tag}-bq\` '"; touch "$ISOTOPE_CANARY"${tag}-semi;\n#`;
    const imagePath = join(dir, `${hostile('image')}.img`);
    const targetPath = join(dir, `${hostile('target')}.img`);
    const workingDir = join(dir, hostile('cwd'));
    mkdirSync(workingDir, { mode: 0o755 });
    const image = randomBytes(3 * 1024 * 1024 + 5);
    writeFileSync(imagePath, image, { mode: 0o644 });
    symlinkSync(loop, targetPath); // the drive, under a hostile name
    try {
      // The engine's own choice: the target stat()s as a block device, so it elevates.
      const { results, cwdAfter, pkexecLog, canary } = runAsUser([{ via: 'engine', work: flashWork(imagePath, [{ path: targetPath }]) }], workingDir);
      expect(results[0]).toMatchObject({ outcome: 'succeeded', targets: [{ target: loop, outcome: 'verified' }] });
      expect(readBytes(loop, 0, image.length).equals(image)).toBe(true);
      // Nothing the names spell ran, as root or as the caller.
      expect(readdirSync(canary)).toEqual([]);
      // pkexec saw the fixed command: interpreter, entry, flash-helper, a 32-hex-digit token; no file name.
      expect(pkexecLog).toMatch(new RegExp(`flash-helper [0-9a-f]{32}"?\\s*$`));
      expect(pkexecLog).not.toContain('touch');
      expect(pkexecLog).not.toContain(dir);
      expect(cwdAfter).toBe(workingDir); // the engine's own working directory is restored
      // The private channel is cleaned up.
      expect(readdirSync('/tmp').filter((name) => name.startsWith('isotope-helper-') && existsSync(join('/tmp', name, 'secret')))).toEqual([]);
    } finally {
      rmSync(targetPath);
      writeFileSync(loop, Buffer.alloc(loopBytes, 0xa5));
    }
  });

  it('refuses a root-only file as the target: the helper writes and reads back only whole drives, and the engine does not elevate for it', () => {
    const shadow = join(rootOnlyDir, 'shadow');
    const before = readFileSync(shadow);
    const imagePath = join(dir, 'user.img');
    writeFileSync(imagePath, Buffer.from('attacker:line\n'.repeat(1000)), { mode: 0o644 });
    const { results, pkexecLog } = runAsUser([
      { via: 'elevated', work: flashWork(imagePath, [{ path: shadow }]) },
      { via: 'elevated', work: { kind: 'verify', imagePath, target: { path: shadow } } },
      // An unknown drive id next to the file once made the engine elevate (needsDevices).
      { via: 'engine', work: flashWork(imagePath, [{ driveId: 'no-such-drive' }, { path: shadow }]) },
    ]);
    expect(results[0]!.outcome).toBe('failed');
    expect(results[0]!.targets[0]!.error).toMatchObject({ code: 'refused', message: expect.stringContaining('only whole block devices') });
    // Verify-only as root would make the file an oracle (the mismatch offset): refused too.
    expect(results[1]!.targets[0]!.error).toMatchObject({ code: 'refused' });
    expect(results[1]!.targets[0]!.mismatch).toBeNull();
    // The engine ran the third job with the user's rights: no prompt, and the open failed there.
    expect(results[2]!.outcome).toBe('failed');
    expect(pkexecLog.match(/flash-helper/g)).toHaveLength(2);
    expect(readFileSync(shadow).equals(before)).toBe(true);
  });

  it("opens the image with the invoking user's rights: a root-only secret, raw or compressed, is refused and nothing is copied", () => {
    const userTarget = join(dir, 'user-target.img');
    writeFileSync(userTarget, Buffer.alloc(1024 * 1024));
    chownSync(userTarget, nobody, nobody);
    const { results } = runAsUser([
      { via: 'elevated', work: flashWork(join(rootOnlyDir, 'secret.img'), [{ path: userTarget }]) },
      { via: 'elevated', work: flashWork(join(rootOnlyDir, 'secret.img'), [{ path: loop }]) },
      { via: 'elevated', work: flashWork(join(rootOnlyDir, 'secret.img.gz'), [{ path: loop }]) },
      { via: 'elevated', work: { kind: 'verify', imagePath: join(rootOnlyDir, 'secret.img'), target: { path: loop } } },
    ]);
    for (const result of results) {
      expect(result.outcome).toBe('failed');
      expect(result.targets[0]!.error).toMatchObject({ code: 'source-unreadable', message: expect.stringMatching(/EACCES|permission denied/i) });
    }
    expect(readFileSync(userTarget).equals(Buffer.alloc(1024 * 1024))).toBe(true);
    expect(loopUnchanged()).toBe(true);
  });

  it('writes a copy-files stick through the helper, which composes it itself from the image it opens as the user', () => {
    const stickBacking = join(dir, 'stick-backing');
    writeFileSync(stickBacking, Buffer.alloc(64 * 1024 * 1024, 0xa5));
    const stick = loops.attach(stickBacking);
    const imagePath = join(dir, 'nonhybrid.iso');
    writeFileSync(imagePath, readFileSync(nonhybridGrubIsoPath()), { mode: 0o644 });
    const copyWork = (image: string, target: string): FlashWork => ({
      kind: 'flash',
      imagePath: image,
      targets: [{ path: target }],
      verify: true,
      includeAll: true,
      eject: false,
      recipe: { kind: 'copy', copy: { table: 'mbr', wimPartBytes: defaultWimPartBytes, windows: noWindowsOptions } },
    });
    const { results, pkexecLog } = runAsUser([
      { via: 'engine', work: copyWork(imagePath, stick) },
      // A root-only image is refused in copy mode too: the helper opens it with the user's rights.
      { via: 'elevated', work: copyWork(join(rootOnlyDir, 'secret.img'), loop) },
      // Verify-only reads the stick back through the helper too, judging it file by file (the mode crosses the channel).
      { via: 'engine', work: { kind: 'verify', imagePath, target: { path: stick }, mode: 'copy' } },
    ]);
    expect(results[0]).toMatchObject({ outcome: 'succeeded', targets: [{ target: stick, outcome: 'verified' }] });
    expect(results[1]!.targets[0]!.error).toMatchObject({ code: 'source-unreadable', message: expect.stringMatching(/EACCES|permission denied/i) });
    expect(results[2]).toMatchObject({ outcome: 'succeeded', targets: [{ target: stick, outcome: 'verified', copiedFiles: { extraPaths: [] } }] });
    expect(loopUnchanged()).toBe(true);
    expect(pkexecLog.match(/flash-helper/g)).toHaveLength(3);
    const probe = spawnSync('blkid', ['-p', '-o', 'export', stick], { encoding: 'utf8' });
    expect(probe.stdout).toMatch(/^PTTYPE=dos$/m);
  });

  it('formats a drive by the id the test enumerated as root: the engine (nobody) and the helper (root) find the same drive', async () => {
    // Backed by a root-only file: nobody can neither open the loop nor stat the file, and still names it as root does.
    const stickBacking = join(rootOnlyDir, 'format-backing');
    writeFileSync(stickBacking, Buffer.alloc(64 * 1024 * 1024, 0xa5));
    const stick = loops.attach(stickBacking);
    const driveId = (await scanDrives()).drives.find((drive) => drive.device === stick)!.id;
    const { results, pkexecLog } = runAsUser([
      {
        via: 'engine',
        work: { kind: 'format', targets: [{ driveId }], includeAll: true, recipe: { kind: 'format', fileSystem: 'fat32', label: 'Formatted', table: 'mbr' } },
      },
    ]);
    expect(results[0]).toMatchObject({ outcome: 'succeeded', targets: [{ target: stick, outcome: 'verified' }] });
    expect(pkexecLog.match(/flash-helper/g)).toHaveLength(1);
    const probe = spawnSync('blkid', ['-p', '-O', String(1024 * 1024), '-o', 'export', stick], { encoding: 'utf8' });
    expect(probe.stdout).toMatch(/^TYPE=vfat$/m);
    expect(probe.stdout).toMatch(/^LABEL=FORMATTED$/m);
  });

  describe('writing while downloading through the helper (issue 19)', () => {
    const served = randomBytes(5 * 1024 * 1024 + 4096);
    let origin = '';
    let stopServer = (): void => undefined;
    beforeAll(async () => {
      // In a process of its own: runAsUser blocks this one while the engine downloads.
      const root = mkdtempSync(join(dir, 'served-'));
      chmodSync(root, 0o755);
      writeFileSync(join(root, 'image.img'), served, { mode: 0o644 });
      writeFileSync(join(root, 'forged.img'), randomBytes(served.length), { mode: 0o644 });
      const sha256 = createHash('sha256').update(served).digest('hex');
      writeFileSync(join(root, 'SHA256SUMS'), `${sha256}  image.img\n${sha256}  forged.img\n`, { mode: 0o644 });
      // Python's file server, paced to 1 MiB/s: the helper starts (after the prompt) while the bytes still arrive.
      const pacedServer = [
        'import functools, http.server, sys, time',
        'class Paced(http.server.SimpleHTTPRequestHandler):',
        '    def copyfile(self, source, destination):',
        '        while chunk := source.read(128 * 1024):',
        '            destination.write(chunk)',
        '            time.sleep(0.125)',
        'handler = functools.partial(Paced, directory=sys.argv[1])',
        'server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)',
        'print(f"port {server.server_address[1]}", flush=True)',
        'server.serve_forever()',
      ].join('\n');
      const server = spawn('/usr/bin/python3', ['-c', pacedServer, root], { stdio: ['ignore', 'pipe', 'ignore'] });
      stopServer = () => server.kill();
      origin = await new Promise<string>((resolve) => {
        server.stdout.on('data', (chunk: Buffer) => {
          const port = /port (\d+)/.exec(chunk.toString())?.[1];
          if (port) resolve(`http://127.0.0.1:${port}`);
        });
      });
    });
    afterAll(() => stopServer());

    // What this proves: one pkexec'd helper writes the drive from a download still arriving, the bytes
    // on the drive are the served file's and verified. It does not observe the landed bound at a
    // checkpoint; growing-file-source.test.ts holds the reads to the landed edge.
    it('writes a drive through one helper while the image downloads: the drive holds the served bytes, verified, the sums next to the URL matching', () => {
      try {
        const { results, pkexecLog } = runAsUser([{ via: 'arriving', url: `${origin}/image.img`, targets: [{ path: loop }] }]);
        expect(results[0], JSON.stringify(results[0])).toMatchObject({ outcome: 'succeeded', targets: [{ target: loop, outcome: 'verified' }] });
        expect(results[0]!.download).toMatchObject({ failure: null, result: { verification: { verdict: 'matches-unsigned' } } });
        expect(readBytes(loop, 0, served.length).equals(served)).toBe(true);
        expect(pkexecLog.match(/flash-helper/g)).toHaveLength(1);
      } finally {
        writeFileSync(loop, Buffer.alloc(loopBytes, 0xa5));
      }
    });

    it('has the helper mark the drive unusable when the sums next to the URL disagree', () => {
      try {
        const { results } = runAsUser([{ via: 'arriving', url: `${origin}/forged.img`, targets: [{ path: loop }] }]);
        expect(results[0]!.outcome, JSON.stringify(results[0])).toBe('failed');
        expect(results[0]!.download?.unusableTargets, JSON.stringify(results[0]!.targets)).toEqual([loop]);
        expect(results[0]!.targets[0]!.error?.message).toMatch(/left unusable .* because the checksums for .* do not vouch/);
        expect(readBytes(loop, 0, 1024 * 1024).equals(Buffer.alloc(1024 * 1024))).toBe(true);
        expect(readBytes(loop, loopBytes - 1024 * 1024, 1024 * 1024).equals(Buffer.alloc(1024 * 1024))).toBe(true);
      } finally {
        writeFileSync(loop, Buffer.alloc(loopBytes, 0xa5));
      }
    });
  });

  it("refuses an engine's report that the download landed in a root-only file: the helper opens it with the user's rights and writes none of its bytes", async () => {
    // A fake engine on the channel, as the symlink test below: it hands the helper a write while
    // downloading whose `opened` report names the root-only secret, all of it landed and complete.
    const token = randomBytes(16).toString('hex');
    const channel = `/tmp/isotope-helper-${token}`;
    mkdirSync(channel, { mode: 0o700 });
    chownSync(channel, nobody, nobody);
    const secret = randomBytes(32).toString('hex');
    writeFileSync(join(channel, 'secret'), secret, { mode: 0o600 });
    chownSync(join(channel, 'secret'), nobody, nobody);
    const secretImage = join(rootOnlyDir, 'secret.img');
    const work: FlashWork = { kind: 'flash', imagePath: secretImage, targets: [{ path: loop }], verify: true, includeAll: true, eject: false, arriving: true };
    const events = [
      { event: 'opened', path: secretImage },
      { event: 'total', bytes: rootSecret.length },
      { event: 'landed', offsetBytes: 0, endBytes: rootSecret.length },
      { event: 'completed', sizeBytes: rootSecret.length, sha256: createHash('sha256').update(rootSecret).digest('hex') },
    ];
    let received = '';
    const server = createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        const first = received === '';
        received += chunk.toString();
        if (!first) return;
        socket.write(`${JSON.stringify({ type: 'job', jobId: 'hostile-engine', work })}\n`);
        for (const event of events) socket.write(`${JSON.stringify({ type: 'arriving', event })}\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(join(channel, 'socket'), resolve));
    try {
      const status = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [isotopeBin, 'flash-helper', token], {
          cwd: repoRoot,
          stdio: 'ignore',
          env: { ...process.env, PKEXEC_UID: String(nobody) },
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      const result = received
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { type: string; result?: FlashResult })
        .find((message) => message.type === 'result')?.result;
      expect(status).toBe(1);
      expect(result?.outcome, JSON.stringify(result)).toBe('failed');
      expect(result?.targets[0]).toMatchObject({ outcome: 'failed', bytesWritten: 0, error: { code: 'source-unreadable' } });
      expect(result?.targets[0]?.error?.message).toContain(`cannot open the download ${secretImage}: EACCES`);
      expect(readBytes(loop, 0, 64).includes(Buffer.from('ROOT-ONLY-SECRET'))).toBe(false);
      expect(readBytes(loop, 0, rootSecret.length).equals(rootSecret)).toBe(false);
    } finally {
      server.close();
      rmSync(channel, { recursive: true, force: true });
      writeFileSync(loop, Buffer.alloc(loopBytes, 0xa5));
    }
  });

  it('reads its secret without following a symlink planted in the channel directory', async () => {
    const token = randomBytes(16).toString('hex');
    const channel = `/tmp/isotope-helper-${token}`;
    mkdirSync(channel, { mode: 0o700 });
    chownSync(channel, nobody, nobody);
    symlinkSync(join(rootOnlyDir, 'shadow'), join(channel, 'secret'));
    let received = '';
    const server = createServer((socket) => socket.on('data', (chunk: Buffer) => (received += chunk.toString())));
    await new Promise<void>((resolve) => server.listen(join(channel, 'socket'), resolve));
    try {
      const helper = await new Promise<number | null>((resolve) => {
        const child = spawnSync(process.execPath, [isotopeBin, 'flash-helper', token], {
          cwd: repoRoot,
          encoding: 'utf8',
          timeout: 30_000,
          env: { ...process.env, PKEXEC_UID: String(nobody) },
        });
        resolve(child.status);
      });
      expect(helper).toBe(2);
      expect(received).not.toContain('precious');
    } finally {
      server.close();
      rmSync(channel, { recursive: true, force: true });
    }
  });
});
