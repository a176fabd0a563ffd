// The renderer's pure pieces for disk and compressed images: which optional columns a listing fills,
// which partition folders open, how an unpacking's no-space error names the folder and sizes, and the
// words for partitions that cannot be browsed.
import { describe, expect, it } from 'vitest';
import type { ImageEntry } from '../../shared/image.ts';
import { formatMode, formatPermissions, notBrowsableTag, notBrowsableWords, text } from '../../src-renderer/messages.ts';
import { decodeSpaceShortfall } from '../../src-renderer/state/decode-job.svelte.ts';
import { isBrowsable, optionalColumnsOf } from '../../src-renderer/state/file-tree.svelte.ts';

const file = (name: string, fields: Partial<ImageEntry> = {}): ImageEntry => ({ path: `/${name}`, name, type: 'file', sizeBytes: 1, ...fields });

describe('optionalColumnsOf', () => {
  it('shows no extra column for a listing that records no mode, owner or attributes (plain ISO 9660, Joliet)', () => {
    expect(optionalColumnsOf([[file('a'), file('b')]])).toEqual({ mode: false, owner: false, attributes: false });
  });

  it('shows the attributes column when any entry of any listed folder has FAT attributes, even an empty list', () => {
    const root = [file('a')];
    const sub = [file('b', { attributes: [] }), file('c')];
    expect(optionalColumnsOf([root, sub])).toEqual({ mode: false, owner: false, attributes: true });
  });

  it('shows permissions and owner for ext and Rock Ridge entries', () => {
    expect(optionalColumnsOf([[file('a', { mode: 0o100644, uid: 0, gid: 0 })]])).toEqual({ mode: true, owner: true, attributes: false });
  });
});

describe('isBrowsable', () => {
  it('is false only for a partition folder the engine marks unbrowsable', () => {
    expect(isBrowsable(file('docs', { type: 'directory' }))).toBe(true);
    expect(isBrowsable(file('1-bootfs (FAT32)', { type: 'directory', partition: { number: 1, filesystem: 'fat32', browsable: true } }))).toBe(true);
    expect(isBrowsable(file('2 (NTFS)', { type: 'directory', partition: { number: 2, filesystem: 'ntfs', browsable: false } }))).toBe(false);
  });
});

describe('decodeSpaceShortfall', () => {
  it('reads the folder and both sizes from a no-space error of an unpacking', () => {
    const error = {
      code: 'no-space',
      message: 'x',
      detail: { path: '/home/ada/.local/share/isotope/decoded', neededBytes: 4_294_967_296, availableBytes: 1_073_741_824 },
    } as const;
    expect(decodeSpaceShortfall(error)).toEqual({
      folder: '/home/ada/.local/share/isotope/decoded',
      neededBytes: 4_294_967_296,
      availableBytes: 1_073_741_824,
    });
  });

  it('never reports less than nothing free: the engine counts free space beyond its reserve, which can be negative', () => {
    const error = { code: 'no-space', message: 'x', detail: { path: '/small/decoded', neededBytes: 1_048_576, availableBytes: -50_331_648 } } as const;
    expect(decodeSpaceShortfall(error)).toEqual({ folder: '/small/decoded', neededBytes: 1_048_576, availableBytes: 0 });
  });

  it('words a shortfall with its sizes, and a disk that filled up (needed 0) without a size', () => {
    expect(text.decodeNoSpace('/small/decoded', '1.00 GiB', '12.0 MiB')).toMatch(
      /^Unpacking needs at least 1\.00 GiB in \/small\/decoded, where 12\.0 MiB are free /,
    );
    expect(text.decodeNoSpace('/small/decoded', null, '0 B')).toMatch(/^The disk holding \/small\/decoded filled up while unpacking /);
  });

  it('answers null when the error is another code or lacks a size, so the engine message is shown instead', () => {
    expect(decodeSpaceShortfall({ code: 'corrupt-image', message: 'x', detail: { path: '/a', neededBytes: 1, availableBytes: 0 } })).toBeNull();
    expect(decodeSpaceShortfall({ code: 'no-space', message: 'no space left in /a', detail: { path: '/a' } })).toBeNull();
    expect(decodeSpaceShortfall({ code: 'no-space', message: 'no space left in /a' })).toBeNull();
    expect(decodeSpaceShortfall(null)).toBeNull();
  });
});

describe('partition words', () => {
  it('names a signature-only file system, a damaged readable one and an unknown one differently', () => {
    expect(notBrowsableWords('ntfs', 'signature-only')).toBe('not browsable: NTFS (signature only)');
    expect(notBrowsableWords('swap', 'signature-only')).toBe('not browsable: Linux swap (signature only)');
    expect(notBrowsableWords('fat32', 'damaged')).toBe('not browsable: its FAT32 file system is damaged');
    // An intact ext4 with a feature the reader lacks (encryption) is not called damaged.
    expect(notBrowsableWords('ext4', 'unsupported')).toBe('not browsable: its ext4 file system uses a feature Isotope cannot read');
    expect(notBrowsableTag('unsupported')).toBe('unsupported feature');
    expect(notBrowsableWords(null, undefined)).toBe('not browsable: no file system Isotope recognises');
  });

  it('badges a partition with its number, type, file system and size, leaving out what is unknown', () => {
    expect(text.partitionBadge(1, 'W95 FAT32 (LBA)', 'FAT32', '47.0 MiB')).toBe('partition 1 · W95 FAT32 (LBA) · FAT32 · 47.0 MiB');
    expect(text.partitionBadge(3, '0x83', null, null)).toBe('partition 3 · 0x83');
  });

  it('says a card smaller than the image holds it when its partitions end earlier', () => {
    expect(text.targetSpace('56.0 MiB', '1.00 GiB', true)).toBe(
      'needs a drive of 1.00 GiB, or may need only 56.0 MiB if the rest of the image is empty (checked when a drive is picked)',
    );
    expect(text.targetSpace('1.00 GiB', '1.00 GiB', false)).toBe('needs a drive of at least 1.00 GiB');
  });

  it('shows permissions as ls -l does in the tree, with the octal value in the details', () => {
    expect(formatPermissions(0o040755)).toBe('drwxr-xr-x');
    expect(formatPermissions(0o120777)).toBe('lrwxrwxrwx');
    expect(formatPermissions(0o020620)).toBe('crw--w----');
    expect(formatMode(0o100644)).toBe('-rw-r--r-- (0644)');
  });
});
