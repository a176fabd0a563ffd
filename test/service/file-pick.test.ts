// image:pick with a purpose (issue 17): the renderer's pickPath asks Electron's native dialog for an
// image, a key file, any file or a folder through it; a folder chosen there is the user's own choice
// of an extraction destination, so extraction may then write there, while the renderer's word (a
// folder chosen in the web shell's in-app dialog, a typed path) still grants nothing.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FilePickPurpose } from '../../shared/files.ts';
import { extractionDestinations } from '../../src-main/service/handlers/image-handlers.ts';
import { createService } from '../../src-main/service/service.ts';

const quiet = { log: () => undefined };

describe('image:pick with a purpose', () => {
  // Outside the home folder, so only a choice can make it a destination.
  const outside = mkdtempSync('/dev/shm/isotope-pick-');
  afterAll(() => rmSync(outside, { recursive: true, force: true }));

  function desktopAnswering(path: string, asked: { purpose: FilePickPurpose; title: string | null }[]) {
    return createService({
      shell: 'electron',
      version: '1',
      pickOpenPath: (request) => {
        asked.push(request);
        return Promise.resolve(path);
      },
      ...quiet,
    });
  }

  it('hands the purpose and title to the native dialog, an image when none is given', async () => {
    const asked: { purpose: FilePickPurpose; title: string | null }[] = [];
    const desktop = desktopAnswering('/picked.asc', asked);
    expect(await desktop.invoke('image:pick', {})).toEqual({ ok: true, value: { path: '/picked.asc' } });
    expect(await desktop.invoke('image:pick', { purpose: 'key-file', title: 'Choose a key file to import' })).toEqual({
      ok: true,
      value: { path: '/picked.asc' },
    });
    expect(asked).toEqual([
      { purpose: 'image', title: null },
      { purpose: 'key-file', title: 'Choose a key file to import' },
    ]);
    expect(await desktop.invoke('image:pick', { purpose: 'everything' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await desktop.invoke('image:pick', { title: 'x'.repeat(201) })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('makes a folder chosen in the native dialog an extraction destination, and a file chosen there nothing', async () => {
    const folder = join(outside, 'chosen');
    const notChosen = join(outside, 'picked-as-image');
    mkdirSync(folder);
    mkdirSync(notChosen);
    await expect(extractionDestinations.check(join(folder, 'out'))).rejects.toThrow(/outside the home folder/);
    expect(await desktopAnswering(notChosen, []).invoke('image:pick', { purpose: 'image' })).toMatchObject({ ok: true });
    await expect(extractionDestinations.check(join(notChosen, 'out'))).rejects.toThrow(/outside the home folder/);
    expect(await desktopAnswering(folder, []).invoke('image:pick', { purpose: 'folder', title: 'Extract to' })).toEqual({ ok: true, value: { path: folder } });
    await expect(extractionDestinations.check(join(folder, 'out'))).resolves.toBeUndefined();
  });
});
