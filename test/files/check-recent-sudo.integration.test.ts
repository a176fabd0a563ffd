// files:check-recent under `sudo isotope web` (issue 17): with euid 0 and SUDO_UID set, a recent file
// is judged only once the invoking user's own account may read it, as files:list does for folders.
// An image only root can read is kept as unknown (the user's account cannot tell, so neither may the
// answer), a file gone is gone, and a file the user can read is judged by its content. Runs as root.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { isRoot, rootSkipReason } from '../flash/loop-devices.ts';
import { testService } from '../helpers/in-process-cli.ts';

const nobody = 65534;

describe.skipIf(!isRoot)(`files:check-recent under sudo (${rootSkipReason})`, () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-check-recent-sudo-');
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'root-only'), { mode: 0o700 });
    copyFileSync(helloIsoPath(), join(dir, 'root-only', 'secret.iso'));
    writeFileSync(join(dir, 'notes.iso'), 'a text file under an image name', { mode: 0o644 });
    copyFileSync(helloIsoPath(), join(dir, 'hello.iso'));
    chmodSync(join(dir, 'hello.iso'), 0o644);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.unstubAllEnvs());

  it("keeps as unknown an image only root can read, naming the user's refusal, and judges what the user can read", async () => {
    vi.stubEnv('SUDO_UID', String(nobody));
    vi.stubEnv('SUDO_GID', String(nobody));
    const secret = join(dir, 'root-only', 'secret.iso');
    const answer = await testService().call('files:check-recent', {
      paths: [secret, join(dir, 'notes.iso'), join(dir, 'hello.iso'), join(dir, 'gone.iso')],
    });
    expect(answer.ok && answer.value.checks.map((check) => check.verdict)).toEqual(['unknown', 'not-an-image', 'image', 'gone']);
    expect(answer.ok && answer.value.checks[0]?.reason).toContain('EACCES');
  });

  it('judges the root-only image by its content in a real root session (no SUDO_UID)', async () => {
    vi.stubEnv('SUDO_UID', undefined);
    const secret = join(dir, 'root-only', 'secret.iso');
    expect(await testService().call('files:check-recent', { paths: [secret] })).toMatchObject({ ok: true, value: { checks: [{ verdict: 'image' }] } });
  });
});
