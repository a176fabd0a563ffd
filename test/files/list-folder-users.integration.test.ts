// files:list runs as the user the engine runs as: a folder that account cannot read is a clear
// `permission-denied` naming it, never a crash or an empty list. Tests run as root, who reads
// everything, so the listing is made by a child process running as nobody.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { isRoot, rootSkipReason } from '../flash/loop-devices.ts';

const listAsUser = fileURLToPath(new URL('./tools/list-folder-as-user.ts', import.meta.url));
/** The unprivileged user the engine runs as on a desktop. */
const nobody = 65534;

describe.skipIf(!isRoot)(`files:list as an unprivileged user (${rootSkipReason})`, () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-list-users-');
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'root-only'), { mode: 0o700 });
    writeFileSync(join(dir, 'root-only', 'secret.iso'), 'x');
    mkdirSync(join(dir, 'open'), { mode: 0o755 });
    writeFileSync(join(dir, 'open', 'debian.iso'), 'x', { mode: 0o644 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function listAsNobody(path: string): { listing?: { entries: { name: string }[] }; error?: { code: string; message: string } } {
    const home = join(dir, 'home'); // HOME and TMPDIR of the user (tsx keeps its cache there)
    mkdirSync(home, { recursive: true });
    chownSync(home, nobody, nobody);
    const result = spawnSync(process.execPath, ['--import', 'tsx', listAsUser, path], {
      cwd: repoRoot,
      uid: nobody,
      gid: nobody,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, HOME: home, TMPDIR: home },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as ReturnType<typeof listAsNobody>;
  }

  it('answers permission-denied naming a folder the account cannot read, and lists one it can', () => {
    const locked = join(dir, 'root-only');
    expect(listAsNobody(locked).error).toEqual({ code: 'permission-denied', message: `${locked} cannot be read by this account (EACCES)` });
    expect(listAsNobody(join(dir, 'open')).listing?.entries.map((entry) => entry.name)).toEqual(['debian.iso']);
  });

  it('answers permission-denied for a folder below one the account cannot enter', () => {
    const below = join(dir, 'root-only', 'inner');
    mkdirSync(below);
    expect(listAsNobody(below).error?.code).toBe('permission-denied');
  });
});
