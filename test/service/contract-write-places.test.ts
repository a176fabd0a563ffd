// The places the contract never writes, whichever call names them (security/extraction-destinations.ts):
// the home folder itself, a hidden file or folder below it (~/.bashrc, ~/.ssh/authorized_keys,
// ~/.config/autostart/x.desktop), ~/bin, an autostart folder $XDG_CONFIG_HOME puts outside the hidden
// ones, Isotope's own data folder, and a link in home pointing at one of those
// or at nothing yet. Each is asked through
// every call that writes a path the caller names: download:start, image:extract, image:extract-conflicts,
// iso:create and drives:backup; each is refused with destination-not-allowed and nothing is written or
// requested. The CLI, whose user typed the path, is not limited.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExtractionDestinations } from '../../src-main/security/extraction-destinations.ts';
import { createService } from '../../src-main/service/service.ts';
import { startFaultServer, type FaultServer } from '../net/https-fault-server.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-write-places-'));
let home = '';
let server: FaultServer;

beforeAll(async () => {
  server = await startFaultServer({ files: { 'card.img': Buffer.alloc(4096, 7) } });
});
afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  home = mkdtempSync(join(scratch, 'home-'));
  vi.stubEnv('HOME', home);
  vi.stubEnv('XDG_CONFIG_HOME', join(home, 'settings'));
  vi.stubEnv('ISOTOPE_HOME', join(home, 'isotope-data'));
  mkdirSync(join(home, 'Documents'));
  mkdirSync(join(home, '.config'));
  symlinkSync(join(home, '.config'), join(home, 'Documents', 'looks-harmless'));
  symlinkSync(join(home, '.profile'), join(home, 'Documents', 'points-at-nothing'));
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Each never-written place, as a path a caller would name, with the file the place is about. */
function neverWritten(): { name: string; path: string }[] {
  return [
    { name: 'a dotfile run at login', path: join(home, '.bashrc') },
    { name: 'the SSH authorized keys', path: join(home, '.ssh', 'authorized_keys') },
    { name: 'the hidden autostart folder', path: join(home, '.config', 'autostart', 'x.desktop') },
    { name: 'an autostart folder $XDG_CONFIG_HOME puts in plain sight', path: join(home, 'settings', 'autostart', 'x.desktop') },
    { name: '~/bin, on PATH', path: join(home, 'bin', 'ls') },
    { name: "Isotope's own data folder (its keyring)", path: join(home, 'isotope-data', 'keyring.gpg') },
    { name: 'a link in home pointing into ~/.config', path: join(home, 'Documents', 'looks-harmless', 'autostart', 'x.desktop') },
    { name: 'a link in home pointing at a missing ~/.profile', path: join(home, 'Documents', 'points-at-nothing') },
  ];
}

const web = () => createService({ shell: 'web', version: '0.0.0-test', log: () => undefined, http: { extraCaPem: server.caPem, env: {} } });

describe('the places the contract never writes', () => {
  it('refuses each place for a download with overwrite, before any request', async () => {
    const requestsBefore = server.requests.length;
    for (const place of neverWritten()) {
      const started = await web().call('download:start', { url: `${server.origin}/file/card.img`, outputPath: place.path, overwrite: true });
      expect(started.ok || started.error.code, place.name).toBe('destination-not-allowed');
      expect(existsSync(place.path), place.name).toBe(false);
    }
    expect(server.requests.length).toBe(requestsBefore);
  });

  it('refuses each place, and the home folder itself, as an extraction destination and for its conflict listing', async () => {
    const destinations = [...neverWritten().map((place) => place.path), home];
    for (const destination of destinations) {
      const request = { path: join(scratch, 'not-read.iso'), destination, onConflict: 'overwrite' as const };
      const extracted = await web().call('image:extract', request);
      expect(extracted.ok || extracted.error.code, destination).toBe('destination-not-allowed');
      const conflicts = await web().call('image:extract-conflicts', request);
      expect(conflicts.ok || conflicts.error.code, destination).toBe('destination-not-allowed');
    }
    expect(readdirSync(home).sort()).toEqual(['.config', 'Documents']);
    expect(readdirSync(join(home, '.config'))).toEqual([]);
  });

  it('refuses each place as the output of iso:create and drives:backup', async () => {
    const tree = join(home, 'Documents', 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'hello.txt'), 'hello\n');
    for (const place of neverWritten()) {
      const created = await web().call('iso:create', { sources: [tree], outputPath: place.path, overwrite: true, options: { label: 'X' } });
      expect(created.ok || created.error.code, place.name).toBe('destination-not-allowed');
      const backedUp = await web().call('drives:backup', { driveId: 'no-such-drive', outputPath: place.path, compression: 'none', overwrite: true });
      expect(backedUp.ok || backedUp.error.code, place.name).toBe('destination-not-allowed');
    }
    expect(readdirSync(home).sort()).toEqual(['.config', 'Documents']);
    expect(readdirSync(join(home, '.config'))).toEqual([]);
  });

  it('still allows an ordinary folder in home, a chosen folder, and any place for the CLI', async () => {
    const destinations = new ExtractionDestinations();
    await expect(destinations.check(join(home, 'Downloads', 'debian.iso'))).resolves.toBeUndefined();
    await expect(destinations.check(join(home, 'Documents', 'not.hidden', 'x.iso'))).resolves.toBeUndefined();
    const chosen = mkdtempSync(join(scratch, 'chosen-'));
    await destinations.choose(chosen);
    await expect(destinations.check(join(chosen, 'x.iso'))).resolves.toBeUndefined();
    const cli = createService({ shell: 'cli', version: '0.0.0-test', log: () => undefined, http: { extraCaPem: server.caPem, env: {} } });
    const conflicts = await cli.call('image:extract-conflicts', { path: join(scratch, 'missing.iso'), destination: join(home, '.config') });
    expect(conflicts.ok || conflicts.error.code).not.toBe('destination-not-allowed');
  });
});
