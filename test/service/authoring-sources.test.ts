// What `iso:*` may read through the contract (security/source-locations.ts), over the real service and
// real files: for the web shell a source lies in the home folder (here a temporary one) or was chosen
// in the shell's open dialog; never in /etc, never through a link out of home, never in ~/.ssh or
// Isotope's data folder (a home folder holding them is made into an image without them); the CLI, whose
// user typed the paths, reads what it names.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IsoCreateRequest, IsoRemasterRequest } from '../../shared/authoring.ts';
import { createService, type ServiceOptions } from '../../src-main/service/service.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { runJob } from '../helpers/run-job.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-authoring-sources-'));
const home = join(scratch, 'home');
const elsewhere = join(scratch, 'elsewhere');
mkdirSync(home);
mkdirSync(elsewhere);
// homedir() and the data folder follow these for this test file's process (vitest runs each file in its own fork).
process.env['HOME'] = home;
process.env['ISOTOPE_HOME'] = join(home, 'isotope-data');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const service = (options: Partial<ServiceOptions> = {}) => createService({ shell: 'web', version: '0.0.0-test', log: () => undefined, ...options });

let folderCount = 0;
/** A folder of two small files under `parent`. */
function makeFolder(parent: string): string {
  folderCount += 1;
  const folder = join(parent, `tree-${folderCount}`);
  mkdirSync(join(folder, 'docs'), { recursive: true });
  writeFileSync(join(folder, 'hello.txt'), 'hello\n');
  writeFileSync(join(folder, 'docs/notes.txt'), 'notes\n');
  return folder;
}

function createRequest(sources: string[], outputName: string): IsoCreateRequest {
  return { sources, outputPath: join(home, outputName), options: { label: 'SOURCES' } };
}

describe('iso:plan-create and iso:create sources for the web shell', () => {
  it('refuses a source in /etc, naming it, and writes nothing', async () => {
    const planned = await service().call('iso:plan-create', createRequest(['/etc/passwd'], 'etc.iso'));
    expect(planned.ok || planned.error.code).toBe('source-not-allowed');
    expect(planned.ok || planned.error.message).toContain('/etc/passwd');
    const created = await runJob(service(), 'create', 'iso:create', createRequest(['/etc'], 'etc.iso'));
    expect(created.ok || created.error.code).toBe('source-not-allowed');
  });

  it('refuses a link in the home folder that points to /etc, named directly or as a folder on the way', async () => {
    symlinkSync('/etc', join(home, 'etc-link'));
    for (const source of [join(home, 'etc-link'), join(home, 'etc-link/passwd')]) {
      const planned = await service().call('iso:plan-create', createRequest([source], 'link.iso'));
      expect(planned.ok || planned.error.code).toBe('source-not-allowed');
      expect(planned.ok || planned.error.message).toContain('/etc');
    }
  });

  it('refuses ~/.ssh and a file in Isotope’s data folder even though both lie in the home folder', async () => {
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh/id_ed25519'), 'not a real key\n');
    mkdirSync(join(home, 'isotope-data'), { recursive: true });
    writeFileSync(join(home, 'isotope-data/trusted-keys.gpg'), 'keyring\n');
    for (const source of [join(home, '.ssh'), join(home, '.ssh/id_ed25519'), join(home, 'isotope-data/trusted-keys.gpg')]) {
      const planned = await service().call('iso:plan-create', createRequest([source], 'secret.iso'));
      expect(planned.ok || planned.error.code).toBe('source-not-allowed');
    }
  });

  it('refuses developer tokens, shell history and snap or Flatpak browser profiles in the home folder', async () => {
    const secrets = ['.config/gh/hosts.yml', '.npmrc', '.bash_history', 'snap/firefox/common/.mozilla/logins.json', '.var/app/org.chromium.Chromium/cookies'];
    for (const secret of secrets) {
      mkdirSync(dirname(join(home, secret)), { recursive: true });
      writeFileSync(join(home, secret), 'token\n');
      const planned = await service().call('iso:plan-create', createRequest([join(home, secret)], 'secret.iso'));
      expect(planned.ok || planned.error.code, secret).toBe('source-not-allowed');
    }
  });

  it('makes an image of a folder in the home folder, and of the home folder itself without ~/.ssh and the data folder (with a warning each)', async () => {
    const folder = makeFolder(home);
    const made = await runJob(service(), 'create', 'iso:create', createRequest([folder], 'folder.iso'));
    expect(made.ok && made.value.summary.fileCount).toBe(2);
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh/id_rsa'), 'not a real key\n');
    mkdirSync(join(home, 'isotope-data'), { recursive: true });
    writeFileSync(join(home, 'isotope-data/cache.json'), '{}\n');
    // An image of the home folder cannot be saved inside it: the output goes to a folder chosen in the save dialog.
    const outputPath = join(elsewhere, 'whole-home.iso');
    const desktop = service({ shell: 'electron', pickIsoOutput: async () => outputPath });
    expect((await desktop.call('iso:pick-output', { suggestedName: 'whole-home.iso' })).ok).toBe(true);
    const request = { ...createRequest([home], 'unused.iso'), outputPath };
    const planned = await desktop.call('iso:plan-create', request);
    expect(planned.ok || planned.error).toBe(true);
    if (!planned.ok) return;
    expect(planned.value.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining(join(home, '.ssh')), expect.stringContaining(join(home, 'isotope-data'))]),
    );
    expect((await runJob(desktop, 'create', 'iso:create', request)).ok).toBe(true);
    const listed = await isotope(['ls', outputPath, '/']);
    expect(listed.stdout).toContain('folder.iso');
    expect(listed.stdout).not.toContain('.ssh');
    expect(listed.stdout).not.toContain('isotope-data');
  });

  it('refuses an isohybrid MBR file outside the home folder', async () => {
    const folder = makeFolder(home);
    const request = createRequest([folder], 'mbr.iso');
    const planned = await service().call('iso:plan-create', { ...request, options: { ...request.options, boot: { hybridMbrPath: '/etc/passwd' } } });
    expect(planned.ok || planned.error.code).toBe('source-not-allowed');
  });

  it('reads a folder outside home once the shell’s open dialog chose it, and nothing beside it', async () => {
    const picked = makeFolder(elsewhere);
    const notPicked = makeFolder(elsewhere);
    const desktop = service({ shell: 'electron', pickIsoSources: async () => [picked] });
    const before = await desktop.call('iso:plan-create', createRequest([picked], 'picked.iso'));
    expect(before.ok || before.error.code).toBe('source-not-allowed');
    expect(await desktop.call('iso:pick-sources', { kind: 'folder' })).toEqual({ ok: true, value: { paths: [picked] } });
    const planned = await desktop.call('iso:plan-create', createRequest([join(picked, 'docs')], 'picked.iso'));
    expect(planned.ok && planned.value.fileCount).toBe(1);
    const beside = await desktop.call('iso:plan-create', createRequest([notPicked], 'beside.iso'));
    expect(beside.ok || beside.error.code).toBe('source-not-allowed');
  });

  it('leaves the CLI reading what its user typed, /etc included', async () => {
    const planned = await service({ shell: 'cli' }).call('iso:plan-create', createRequest(['/etc/passwd'], 'cli.iso'));
    expect(planned.ok && planned.value.fileCount).toBe(1);
  });
});

describe('iso:plan-remaster and iso:remaster added sources for the web shell', () => {
  const original = join(home, 'original.iso');
  const remasterRequest = (sourcePath: string, outputName: string): IsoRemasterRequest => ({
    imagePath: original,
    outputPath: join(home, outputName),
    edits: [{ kind: 'add', sourcePath, imagePath: '/added' }],
  });

  it('refuses a file added from /etc or from ~/.ssh, and adds one from the home folder', async () => {
    expect((await isotope(['create', makeFolder(elsewhere), '-o', original])).code).toBe(0);
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh/known_hosts'), 'host\n');
    for (const sourcePath of ['/etc/passwd', join(home, '.ssh/known_hosts')]) {
      const planned = await service().call('iso:plan-remaster', remasterRequest(sourcePath, 'copy.iso'));
      expect(planned.ok || planned.error.code).toBe('source-not-allowed');
      const written = await runJob(service(), 'remaster', 'iso:remaster', remasterRequest(sourcePath, 'copy.iso'));
      expect(written.ok || written.error.code).toBe('source-not-allowed');
    }
    const allowed = join(home, 'preseed.cfg');
    writeFileSync(allowed, 'd-i debian-installer/locale string en_US\n');
    const written = await runJob(service(), 'remaster', 'iso:remaster', remasterRequest(allowed, 'copy.iso'));
    expect(written.ok && written.value.summary.fileCount).toBe(3);
  });

  it('adds the home folder without ~/.ssh', async () => {
    const outputPath = join(elsewhere, 'home-copy.iso');
    const desktop = service({ shell: 'electron', pickIsoOutput: async () => outputPath });
    expect((await desktop.call('iso:pick-output', { suggestedName: 'home-copy.iso' })).ok).toBe(true);
    const planned = await desktop.call('iso:plan-remaster', { ...remasterRequest(home, 'unused.iso'), outputPath });
    expect(planned.ok || planned.error).toBe(true);
    if (!planned.ok) return;
    expect(planned.value.warnings).toEqual(expect.arrayContaining([expect.stringContaining(join(home, '.ssh'))]));
  });
});
