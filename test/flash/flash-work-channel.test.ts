// The elevated helper's side of the channel takes a copy-files or format job only as well-formed
// plain data: the copy options and the new stick's file system, label and table are checked field by
// field, and anything unlisted (a regular-file "format" of an arbitrary path, an extra field) is refused.
import { describe, expect, it } from 'vitest';
import { defaultWimPartBytes } from '../../shared/stick.ts';
import { parseFlashWork } from '../../src-main/flash/flash-work.ts';

const copy = {
  table: 'gpt',
  wimPartBytes: defaultWimPartBytes,
  windows: { skipHardwareChecks: true, localAccountName: 'ana', regional: { locale: 'en-GB', windowsTimeZone: 'GMT Standard Time' } },
};
const copyWork = {
  kind: 'flash',
  imagePath: '/home/ana/win11.iso',
  targets: [{ driveId: '/dev/sdb#8:16#16008609792#4C530001' }],
  verify: true,
  includeAll: false,
  eject: true,
  recipe: { kind: 'copy', copy },
};
const formatWork = {
  kind: 'format',
  targets: [{ driveId: '/dev/sdb#8:16#16008609792#4C530001' }],
  includeAll: false,
  recipe: { kind: 'format', fileSystem: 'exfat', label: 'Backup', table: 'mbr' },
};

describe('the helper channel', () => {
  it('accepts a copy-files flash and a format as the engine sends them, and a raw flash without a recipe', () => {
    expect(parseFlashWork(copyWork)).toEqual(copyWork);
    expect(parseFlashWork(formatWork)).toEqual(formatWork);
    const { recipe: _recipe, ...raw } = copyWork;
    expect(parseFlashWork(raw)).toEqual(raw);
  });

  it.each([
    ['a .swm part under 1 MiB', { ...copyWork, recipe: { kind: 'copy', copy: { ...copy, wimPartBytes: 4096 } } }],
    ['a .swm part of 4 GiB (FAT32 holds 4 GiB - 1)', { ...copyWork, recipe: { kind: 'copy', copy: { ...copy, wimPartBytes: 2 ** 32 } } }],
    ['an unknown partition table', { ...copyWork, recipe: { kind: 'copy', copy: { ...copy, table: 'apm' } } }],
    ['an extra Windows option', { ...copyWork, recipe: { kind: 'copy', copy: { ...copy, windows: { ...copy.windows, script: 'format c:' } } } }],
    ['a format recipe in a flash', { ...copyWork, recipe: formatWork.recipe }],
    ['a format of a path (formats name drives by id only)', { ...formatWork, targets: [{ path: '/dev/sda' }] }],
    ['a format carrying an image path', { ...formatWork, imagePath: '/etc/passwd' }],
    ['an unknown file system', { ...formatWork, recipe: { ...formatWork.recipe, fileSystem: 'ntfs' } }],
    ['a label of 65 characters', { ...formatWork, recipe: { ...formatWork.recipe, label: 'x'.repeat(65) } }],
    ['a format without targets', { ...formatWork, targets: [] }],
  ])('refuses %s', (_, work) => {
    expect(parseFlashWork(work)).toBeNull();
  });
});
