// The elevation path, end to end, without touching the system: inside a private mount namespace,
// /usr/bin gets an overlay with a fake `pkexec` that logs its arguments and runs the command. Image,
// target and working-directory names full of `$(...)`, quotes, newlines and `;` must reach the
// helper only as data: nothing they spell is ever executed, and the command line stays fixed.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashResult } from '../../shared/flash.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { assertBuilt, isotopeBin } from '../helpers/built-cli.ts';
import { isRoot, rootSkipReason } from './loop-devices.ts';

const runner = fileURLToPath(new URL('./tools/elevated-run.ts', import.meta.url));

describe.skipIf(!isRoot)(`elevation through a fake pkexec (${rootSkipReason}; mount namespaces need it too)`, () => {
  let dir = '';
  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync('/dev/shm/isotope-elevation-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flashes hostile file names through the helper without running anything they spell', () => {
    const canary = join(dir, 'canary');
    mkdirSync(canary);
    // No '/' in a file name: the canary directory comes from $ISOTOPE_CANARY (ending in '/') if a shell ever expands it.
    const hostile = (tag: string): string => `$(touch "$ISOTOPE_CANARY"${tag}) \`touch "$ISOTOPE_CANARY"${tag}-bq\` '"; touch "$ISOTOPE_CANARY"${tag}-semi;\n#`;
    const imagePath = join(dir, `${hostile('image')}.img`);
    const targetPath = join(dir, `${hostile('target')}.img`);
    const workingDir = join(dir, hostile('cwd'));
    mkdirSync(workingDir);
    const image = randomBytes(3 * 1024 * 1024 + 5);
    writeFileSync(imagePath, image);
    writeFileSync(targetPath, '');
    const log = join(dir, 'pkexec.log');
    const fakePkexec = ['#!/bin/sh', `printf '%s\\n' "$@" >> '${log}'`, '[ "$1" = --disable-internal-agent ] && shift', 'export PKEXEC_UID="$(id -u)"', 'exec "$@"'].join('\n');
    const script = [
      'set -e',
      'mkdir -p "$1/upper" "$1/work"',
      'mount -t overlay overlay -o "lowerdir=/usr/bin,upperdir=$1/upper,workdir=$1/work" /usr/bin',
      'printf "%s\\n" "$2" > /usr/bin/pkexec',
      'chmod 755 /usr/bin/pkexec',
      'shift 2',
      'exec "$@"',
    ].join('\n');
    const run = spawnSync(
      'unshare',
      ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', join(dir, 'overlay'), fakePkexec, process.execPath, '--import', 'tsx', runner, imagePath, targetPath, workingDir, isotopeBin],
      { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ISOTOPE_CANARY: `${canary}/` } },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { result, cwdAfter } = JSON.parse(run.stdout) as { result: FlashResult; cwdAfter: string };
    expect(result.outcome).toBe('succeeded');
    expect(result.targets[0]).toMatchObject({ target: targetPath, outcome: 'verified' });
    expect(readFileSync(targetPath).equals(image)).toBe(true);
    // Nothing the names spell ran, as root or as the caller.
    expect(readdirSync(canary)).toEqual([]);
    // pkexec saw the fixed command: interpreter, entry, flash-helper, a 32-hex-digit token; no file name.
    const logged = readFileSync(log, 'utf8');
    expect(logged).toMatch(new RegExp(`flash-helper [0-9a-f]{32}"?\\s*$`));
    expect(logged).not.toContain('touch');
    expect(logged).not.toContain(dir);
    expect(cwdAfter).toBe(workingDir); // the engine's own working directory is restored
    // The private channel is cleaned up.
    expect(readdirSync('/tmp').filter((name) => name.startsWith('isotope-helper-') && existsSync(join('/tmp', name, 'secret')))).toEqual([]);
  });
});
