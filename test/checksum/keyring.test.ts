// Isotope's keyring through `isotope keys` and the engine, with keys exported by real gpg.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { KeySummary } from '../../shared/checksum.ts';
import { resolveDataDir } from '../../src-main/io/data-dir.ts';
import { importKeys, keyringDir, listKeys, removeKey } from '../../src-main/checksum/keyring.ts';
import { KeyFileError } from '../../src-main/checksum/openpgp-keys.ts';
import { signedSumsFixture } from '../fixtures/checksum-signed-sums.ts';
import { runIsotope } from './run-cli.ts';

const { keys } = signedSumsFixture();
let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'isotope-keys-'));
  process.env.ISOTOPE_HOME = home;
  return () => rmSync(home, { recursive: true, force: true });
});

describe('isotope keys', () => {
  it('imports armored and binary exports, lists them with the fingerprints gpg printed, and removes one', async () => {
    expect((await runIsotope(['keys', 'import', keys.rsa.armoredPath, '--yes'])).exitCode).toBe(0);
    expect((await runIsotope(['keys', 'import', keys.ed25519.binaryPath, '--yes'])).exitCode).toBe(0);
    const listed = await runIsotope(['keys', 'list', '--json']);
    const fingerprints = listed.json<{ keys: KeySummary[] }>().keys.map((key) => key.fingerprint);
    expect(fingerprints.sort()).toEqual([keys.rsa.fingerprint, keys.ed25519.fingerprint].sort());

    const plain = await runIsotope(['keys', 'list']);
    expect(plain.stdout).toContain(keys.rsa.userId);
    expect(plain.stdout).toContain(keys.rsa.fingerprint.slice(0, 4));

    const spaced = keys.rsa.fingerprint.replace(/(.{4})/g, '$1 ').toLowerCase();
    const removed = await runIsotope(['keys', 'remove', spaced, '--yes', '--json']);
    expect(removed.exitCode).toBe(0);
    expect(removed.json<{ removed: KeySummary }>().removed.fingerprint).toBe(keys.rsa.fingerprint);
    expect((await listKeys(home)).map((key) => key.fingerprint)).toEqual([keys.ed25519.fingerprint]);
  });

  it('never trusts a key silently: off a terminal without --yes it prints the fingerprint, imports nothing and exits 2', async () => {
    const run = await runIsotope(['keys', 'import', keys.rsa.armoredPath]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(keys.rsa.fingerprint.replace(/(.{4})/g, '$1 ').trim());
    expect(run.stderr).toContain(keys.rsa.userId);
    expect(await listKeys(home)).toEqual([]);
    await importKeys(home, keys.rsa.armoredPath);
    expect((await runIsotope(['keys', 'remove', keys.rsa.fingerprint])).exitCode).toBe(2);
    expect((await listKeys(home)).map((key) => key.fingerprint)).toEqual([keys.rsa.fingerprint]);
  });

  it('describes a key: algorithm, user ID, no expiry; and an expired one with its expiry date', async () => {
    const [rsa] = await importKeys(home, keys.rsa.armoredPath);
    expect(rsa).toMatchObject({ fingerprint: keys.rsa.fingerprint, userIds: [keys.rsa.userId], expiresMs: null, revoked: false });
    expect(rsa?.algorithm).toMatch(/rsa/i);
    expect(rsa?.algorithm).toContain('2048');
    const [expired] = await importKeys(home, keys.expired.armoredPath);
    expect(expired?.expiresMs).toBe(Date.UTC(2020, 0, 10, 12)); // gpg sets an expiry date's noon as the end
  });

  it('keeps one file per key when the same key is imported twice', async () => {
    await importKeys(home, keys.rsa.armoredPath);
    await importKeys(home, keys.rsa.binaryPath);
    expect(readdirSync(keyringDir(home))).toEqual([`${keys.rsa.fingerprint}.asc`]);
  });

  it('refuses a file that holds no OpenPGP key (exit 2) and a fingerprint it does not hold (exit 1)', async () => {
    const notAKey = join(home, 'not-a-key.asc');
    writeFileSync(notAKey, 'hello');
    await expect(importKeys(home, notAKey)).rejects.toBeInstanceOf(KeyFileError);
    const run = await runIsotope(['keys', 'import', notAKey]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('not an OpenPGP key file');
    const missing = await runIsotope(['keys', 'remove', keys.outsider.fingerprint]);
    expect(missing.exitCode).toBe(1);
    await expect(removeKey(home, keys.outsider.fingerprint)).rejects.toThrow('no key with fingerprint');
  });
});

describe('resolveDataDir', () => {
  it.each([
    [{ ISOTOPE_HOME: '/custom', XDG_DATA_HOME: '/xdg' }, 'linux', '/custom'],
    [{ XDG_DATA_HOME: '/xdg' }, 'linux', '/xdg/isotope'],
    [{ XDG_DATA_HOME: 'relative' }, 'linux', '/home/u/.local/share/isotope'],
    [{}, 'linux', '/home/u/.local/share/isotope'],
    [{}, 'darwin', '/home/u/Library/Application Support/Isotope'],
    [{ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u\\AppData\\Roaming\\Isotope'],
  ] as const)('with %j on %s is %s', (env, platform, expected) => {
    expect(resolveDataDir({ env, platform, homeDir: '/home/u' })).toBe(expected);
  });
});
