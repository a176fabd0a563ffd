// Keyring changes through the contract, with keys exported by real gpg: the first call changes
// nothing and shows the keys' fingerprints and user IDs with an engine-issued confirmation; only the
// second call, with it, changes the keyring, and only if the file still holds exactly those keys.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeysImportResult, KeysRemoveResult } from '../../shared/checksum.ts';
import type { Result } from '../../shared/result.ts';
import { listKeys } from '../../src-main/checksum/keyring.ts';
import type { ShellConfirmation } from '../../src-main/service/confirmations.ts';
import { createService } from '../../src-main/service/service.ts';
import { signedSumsFixture } from '../fixtures/checksum-signed-sums.ts';

const { keys } = signedSumsFixture();
let home = '';

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'isotope-key-changes-'));
  process.env.ISOTOPE_HOME = home;
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const web = () => createService({ shell: 'web', version: 'test', log: () => undefined });

async function ask(service: ReturnType<typeof web>, path: string): Promise<Extract<KeysImportResult, { state: 'needs-confirmation' }>> {
  const first = (await service.invoke('keys:import', { path })) as Result<KeysImportResult>;
  if (!first.ok || first.value.state !== 'needs-confirmation') throw new Error(`expected a confirmation: ${JSON.stringify(first)}`);
  return first.value;
}

describe('keys:import', () => {
  it('imports nothing on the first call: it answers with the fingerprint and user ID gpg printed, and a confirmation', async () => {
    const first = await ask(web(), keys.rsa.armoredPath);
    expect(first.found).toEqual([expect.objectContaining({ fingerprint: keys.rsa.fingerprint, userIds: [keys.rsa.userId] })]);
    expect(first.confirmationId).toMatch(/^[0-9a-f]{32}$/);
    expect(await listKeys(home)).toEqual([]);
  });

  it('imports with the confirmation, once', async () => {
    const service = web();
    const { confirmationId } = await ask(service, keys.rsa.armoredPath);
    const second = await service.invoke('keys:import', { path: keys.rsa.armoredPath, confirmationId });
    expect(second).toMatchObject({ ok: true, value: { state: 'imported', imported: [{ fingerprint: keys.rsa.fingerprint }] } });
    expect((await listKeys(home)).map((key) => key.fingerprint)).toEqual([keys.rsa.fingerprint]);
    const reused = await service.invoke('keys:import', { path: keys.rsa.armoredPath, confirmationId });
    expect(reused).toMatchObject({ ok: false, error: { code: 'confirmation-required' } });
  });

  it('refuses a forged confirmation and one issued for another file', async () => {
    const service = web();
    const forged = await service.invoke('keys:import', { path: keys.rsa.armoredPath, confirmationId: 'ab'.repeat(16) });
    expect(forged).toMatchObject({ ok: false, error: { code: 'confirmation-required' } });
    const { confirmationId } = await ask(service, keys.rsa.armoredPath);
    const other = await service.invoke('keys:import', { path: keys.outsider.armoredPath, confirmationId });
    expect(other).toMatchObject({ ok: false, error: { code: 'confirmation-required', message: expect.stringContaining(keys.rsa.armoredPath) } });
    expect(await listKeys(home)).toEqual([]);
  });

  it('refuses when the file was swapped for another key after the user saw the first', async () => {
    const service = web();
    const path = join(home, 'signing-key.asc');
    copyFileSync(keys.rsa.armoredPath, path);
    const { confirmationId } = await ask(service, path);
    copyFileSync(keys.outsider.armoredPath, path);
    const swapped = await service.invoke('keys:import', { path, confirmationId });
    expect(swapped).toMatchObject({ ok: false, error: { code: 'confirmation-required', message: expect.stringContaining('the key file changed') } });
    expect(await listKeys(home)).toEqual([]);
  });

  it("asks the shell's own dialog (Electron) with the keys, and imports nothing when it says no", async () => {
    const asked: ShellConfirmation[] = [];
    const electron = createService({
      shell: 'electron',
      version: 'test',
      log: () => undefined,
      confirmDestructive: async (request) => (asked.push(request), false),
    });
    const { confirmationId } = await ask(electron, keys.ed25519.armoredPath);
    const declined = await electron.invoke('keys:import', { path: keys.ed25519.armoredPath, confirmationId });
    expect(declined).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(asked).toEqual([
      { kind: 'keys-import', path: keys.ed25519.armoredPath, keys: [expect.objectContaining({ fingerprint: keys.ed25519.fingerprint })] },
    ]);
    expect(await listKeys(home)).toEqual([]);
  });
});

describe('keys:remove', () => {
  it('removes nothing on the first call, refuses its confirmation for another kind of change, and removes the key with a fresh one', async () => {
    const service = web();
    const { confirmationId: importId } = await ask(service, keys.rsa.armoredPath);
    await service.invoke('keys:import', { path: keys.rsa.armoredPath, confirmationId: importId });
    const first = (await service.invoke('keys:remove', { fingerprint: keys.rsa.fingerprint })) as Result<KeysRemoveResult>;
    expect(first).toMatchObject({ ok: true, value: { state: 'needs-confirmation', found: { fingerprint: keys.rsa.fingerprint } } });
    expect((await listKeys(home)).map((key) => key.fingerprint)).toEqual([keys.rsa.fingerprint]);
    const confirmationId = first.ok && first.value.state === 'needs-confirmation' ? first.value.confirmationId : '';
    const removeId = await service.invoke('keys:import', { path: keys.rsa.armoredPath, confirmationId });
    expect(removeId).toMatchObject({ ok: false, error: { code: 'confirmation-required', message: expect.stringContaining('keys-remove') } });
    const again = (await service.invoke('keys:remove', { fingerprint: keys.rsa.fingerprint })) as Result<KeysRemoveResult>;
    const freshId = again.ok && again.value.state === 'needs-confirmation' ? again.value.confirmationId : '';
    const removed = await service.invoke('keys:remove', { fingerprint: keys.rsa.fingerprint, confirmationId: freshId });
    expect(removed).toMatchObject({ ok: true, value: { state: 'removed', removed: { fingerprint: keys.rsa.fingerprint } } });
    expect(await listKeys(home)).toEqual([]);
  });
});
