// "Show in folder" after an extraction (issue 17, review 13): `files:show-in-folder` asks the shell to
// show a folder only when an extraction of this engine wrote into it; the web shell answers unsupported.
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createService } from '../../src-main/service/service.ts';
import { xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';
import { runJob } from '../helpers/run-job.ts';

let destination: string;
beforeEach(() => {
  destination = mkdtempSync(join(homedir(), 'isotope-show-in-folder-'));
});
afterEach(() => rmSync(destination, { recursive: true, force: true }));

it('shows only a folder an extraction wrote into, through the shell port, and says when the shell cannot', async () => {
  const shown: string[] = [];
  // The Electron shell's port (shell.showItemInFolder) cannot run here: this records what it was asked.
  const service = createService({ shell: 'electron', version: '0.0.0-test', log: () => undefined, showInFolder: async (path) => void shown.push(path) });
  expect(await service.call('app:describe', {})).toMatchObject({ ok: true, value: { canShowInFolder: true } });
  expect(await service.call('files:show-in-folder', { path: destination })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  expect(await service.call('files:show-in-folder', { path: homedir() })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  expect(shown).toEqual([]);
  const extracted = await runJob(service, 'extract', 'image:extract', { path: xorrisoFeaturesIsoPath(), entries: ['/README.TXT'], destination });
  expect(extracted).toMatchObject({ ok: true, value: { fileCount: 1 } });
  expect(await service.call('files:show-in-folder', { path: `${destination}/` })).toEqual({ ok: true, value: {} });
  expect(shown).toEqual([destination]);

  const web = createService({ shell: 'web', version: '0.0.0-test', log: () => undefined });
  expect(await web.call('app:describe', {})).toMatchObject({ ok: true, value: { canShowInFolder: false } });
  expect(await web.call('files:show-in-folder', { path: destination })).toMatchObject({ ok: false, error: { code: 'unsupported' } });
});
