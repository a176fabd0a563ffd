// The Create screen's form and "Edit a copy"'s pending changes (src-renderer/state/create-job.svelte.ts,
// edit-copy.svelte.ts, authoring-paths.ts): what reaches the engine's iso:create and iso:remaster
// requests from what the user typed, ticked and undid.
import { describe, expect, it } from 'vitest';
import { imageFolderOf, imagePathIn, renamedPath, suggestedCopyName, suggestedImageName, trimmedPath } from '../../src-renderer/state/authoring-paths.ts';
import { CreateImage, createRequestOf } from '../../src-renderer/state/create-job.svelte.ts';
import { EditCopy, withEdit } from '../../src-renderer/state/edit-copy.svelte.ts';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { inProcessEngine } from './in-process-engine.ts';

function newForms() {
  const { client } = inProcessEngine();
  const jobs = new JobStore(client);
  return { create: new CreateImage(client, jobs), editCopy: new EditCopy(client, jobs) };
}

describe('the Create form', () => {
  it('sends the defaults as the engine documents them, with empty fields left out so its own defaults apply', () => {
    const { create } = newForms();
    expect(create.addSource('/home/ada/site/', '/home/ada')).toBe(true);
    expect(create.request).toEqual({
      sources: ['/home/ada/site'],
      outputPath: '/home/ada/site.iso',
      options: { level: 3, rockRidge: true, joliet: true, jolietLong: false, udf: false, reproducible: false, boot: { gpt: false, detect: true } },
    });
  });

  it('refuses a relative source path, adds a path once, and suggests the output only from the first source', () => {
    const { create } = newForms();
    expect(create.addSource('site', '/home/ada')).toBe(false);
    expect(create.addSource('/srv/a', '/home/ada')).toBe(true);
    expect(create.addSource('/srv/a/', '/home/ada')).toBe(true);
    expect(create.addSource('/srv/b.txt', '/home/ada')).toBe(true);
    expect(create.sources).toEqual(['/srv/a', '/srv/b.txt']);
    expect(create.outputPath).toBe('/home/ada/a.iso');
    create.removeSource('/srv/a');
    expect(create.sources).toEqual(['/srv/b.txt']);
  });

  it('passes every option typed, excludes one per line, long Joliet names only with Joliet, and generate for the EFI image', () => {
    const request = createRequestOf({
      sources: ['/srv/tree'],
      outputPath: ' /home/ada/out.iso ',
      overwrite: true,
      label: ' MY_DISC ',
      publisher: 'Ada',
      level: 2,
      rockRidge: false,
      joliet: false,
      jolietLong: true,
      udf: true,
      reproducible: true,
      excludesText: '*.tmp\n\n  .git/  \n',
      detectBoot: false,
      biosImagePath: ' /isolinux/isolinux.bin ',
      efiImagePath: '/ignored/efi.img',
      generateEfiImage: true,
      hybridMbrPath: '/usr/lib/ISOLINUX/isohdpfx.bin',
      gpt: true,
    });
    expect(request).toEqual({
      sources: ['/srv/tree'],
      outputPath: '/home/ada/out.iso',
      overwrite: true,
      options: {
        label: 'MY_DISC',
        publisher: 'Ada',
        level: 2,
        rockRidge: false,
        joliet: false,
        jolietLong: false,
        udf: true,
        reproducible: true,
        excludes: ['*.tmp', '.git/'],
        boot: { biosImagePath: '/isolinux/isolinux.bin', efiImagePath: 'generate', hybridMbrPath: '/usr/lib/ISOLINUX/isohdpfx.bin', gpt: true, detect: false },
      },
    });
  });
});

describe('Edit a copy', () => {
  it('collects adds, removes and renames in order, each once, undoes one by its place, and sends a new label and reproducible when asked', () => {
    const { editCopy } = newForms();
    editCopy.begin('/srv/images/debian-12.iso', '/home/ada');
    expect(editCopy.outputPath).toBe('/home/ada/debian-12-edited.iso');
    expect(editCopy.add('/home/ada/preseed.cfg', '/')).toBe(true);
    expect(editCopy.add('preseed.cfg', '/')).toBe(false);
    editCopy.add('/home/ada/firmware/', '/install/');
    editCopy.remove(['/README.TXT', '/README.TXT', '/doc']);
    expect(editCopy.rename('/isolinux/splash.png', 'splash-old.png')).toBe(true);
    expect(editCopy.rename('/isolinux/splash.png', 'splash.png')).toBe(false);
    expect(editCopy.rename('/isolinux/splash.png', 'a/b')).toBe(false);
    editCopy.discard(3);
    editCopy.label = ' PRESEEDED ';
    editCopy.reproducible = true;
    expect(editCopy.request).toEqual({
      imagePath: '/srv/images/debian-12.iso',
      outputPath: '/home/ada/debian-12-edited.iso',
      label: 'PRESEEDED',
      reproducible: true,
      edits: [
        { kind: 'add', sourcePath: '/home/ada/preseed.cfg', imagePath: '/preseed.cfg' },
        { kind: 'add', sourcePath: '/home/ada/firmware', imagePath: '/install/firmware' },
        { kind: 'remove', imagePath: '/README.TXT' },
        { kind: 'rename', imagePath: '/isolinux/splash.png', newImagePath: '/isolinux/splash-old.png' },
      ],
    });
  });

  it('drops the pending changes when editing stops or starts again on another image', () => {
    const { editCopy } = newForms();
    editCopy.begin('/srv/a.iso', '/home/ada');
    editCopy.remove(['/x']);
    editCopy.end();
    expect(editCopy.editing).toBe(false);
    expect(editCopy.request).toBeNull();
    editCopy.label = 'OLD';
    editCopy.begin('/srv/b.iso', '/home/ada');
    expect(editCopy.edits).toEqual([]);
    expect(editCopy.request).toEqual({ imagePath: '/srv/b.iso', outputPath: '/home/ada/b-edited.iso', edits: [] });
  });

  it('keeps an edit identical to a pending one once', () => {
    const edit = { kind: 'remove', imagePath: '/a' } as const;
    expect(withEdit([edit], { kind: 'remove', imagePath: '/a' })).toEqual([edit]);
    expect(withEdit([edit], { kind: 'remove', imagePath: '/b' })).toHaveLength(2);
  });
});

describe('authoring paths', () => {
  it('joins and splits image paths whatever slashes were typed', () => {
    expect(imagePathIn('/', 'a')).toBe('/a');
    expect(imagePathIn('/boot/', 'grub.cfg')).toBe('/boot/grub.cfg');
    expect(imagePathIn('boot//grub', 'x')).toBe('/boot/grub/x');
    expect(imageFolderOf('/boot/grub.cfg')).toBe('/boot');
    expect(imageFolderOf('/a')).toBe('/');
    expect(trimmedPath(' /srv/tree/ ')).toBe('/srv/tree');
    expect(trimmedPath('/')).toBe('/');
  });

  it('renames in the same folder, moves with a full path, and refuses empty, relative, dot and unchanged names', () => {
    expect(renamedPath('/boot/a.cfg', 'b.cfg')).toBe('/boot/b.cfg');
    expect(renamedPath('/boot/a.cfg', '/etc/b.cfg')).toBe('/etc/b.cfg');
    expect(renamedPath('/boot/a.cfg', ' ')).toBeNull();
    expect(renamedPath('/boot/a.cfg', 'x/b.cfg')).toBeNull();
    expect(renamedPath('/boot/a.cfg', '..')).toBeNull();
    expect(renamedPath('/boot/a.cfg', '/boot/../a')).toBeNull();
    expect(renamedPath('/boot/a.cfg', 'a.cfg')).toBeNull();
    expect(renamedPath('/boot/a.cfg', '/')).toBeNull();
  });

  it('suggests file names from the first source and the edited image', () => {
    expect(suggestedImageName('/home/ada/site/')).toBe('site.iso');
    expect(suggestedImageName('/home/ada/notes.txt')).toBe('notes.iso');
    expect(suggestedImageName(undefined)).toBe('new-image.iso');
    expect(suggestedCopyName('/srv/debian-12.iso')).toBe('debian-12-edited.iso');
    expect(suggestedCopyName('/srv/disc')).toBe('disc-edited.iso');
  });
});
