// The FAT12/16 image writer (EFI boot images) proven by the reference tools: each planned image is
// written to a file and checked by fsck.fat and mtools, every file's SHA-256 compared with what went
// in, and read back through our own openFatTree; its size is the smallest the files allow, and FAT16
// is chosen only when FAT12's 4084 clusters cannot hold them.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { FatInputEntry } from '../../src-main/fat/fat-directories.ts';
import { planFatImage } from '../../src-main/fat/fat-image-writer.ts';
import { openFatTree } from '../../src-main/fat/fat-tree.ts';
import { entryContentSource } from '../../src-main/format/entry-source.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { directory, file, fsckFat, mtoolsList, mtoolsRead, scratchPath, seededBytes, sha256, writeSourceToFile } from './fat-test-volumes.ts';

const utf8Env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', MTOOLS_SKIP_CHECK: '1' };

/** What grub-mkrescue puts in efi.img: the removable-media loaders and a grub.cfg, with a lower-case and a long name. */
function efiEntries(): FatInputEntry[] {
  return [
    directory('/EFI'),
    directory('/EFI/BOOT'),
    file('/EFI/BOOT/BOOTX64.EFI', seededBytes(300_000, 1)),
    file('/EFI/BOOT/BOOTIA32.EFI', seededBytes(200_000, 2)),
    file('/EFI/BOOT/grub.cfg', seededBytes(700, 3)),
    file('/EFI/BOOT/a long configuration name.cfg', seededBytes(100, 4)),
    file('/EFI/BOOT/empty', new Uint8Array(0)),
  ];
}

async function writeImage(entries: readonly FatInputEntry[], name: string): Promise<{ path: string; sizeBytes: number }> {
  const { source, sizeBytes } = planFatImage({ entries, label: 'ISOTOPE EFI', volumeId: 0x1234abcd });
  expect(source.sizeBytes).toBe(sizeBytes);
  const path = scratchPath(name);
  await writeSourceToFile(source, path, { fileSizeBytes: sizeBytes });
  return { path, sizeBytes };
}

async function hashesThroughOurReader(path: string): Promise<{ type: string; hashes: Map<string, string> }> {
  const source = await openFileSource(path);
  try {
    const tree = await openFatTree(source);
    const hashes = new Map<string, string>();
    for await (const entry of tree.walk()) {
      if (entry.type === 'file') hashes.set(entry.path, sha256(await entryContentSource(source, entry).read(0, entry.sizeBytes)));
    }
    return { type: tree.volume.type, hashes };
  } finally {
    await source.close();
  }
}

async function expectedHashes(entries: readonly FatInputEntry[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type === 'file') hashes.set(entry.path, sha256(entry.content ? await entry.content.read(0, entry.sizeBytes) : new Uint8Array(0)));
  }
  return hashes;
}

function expectCleanFsck(path: string): string {
  const { status, output } = fsckFat(path);
  expect(output).not.toMatch(/wrong|differ|invalid|bad|mark|fix|free cluster summary wrong/i);
  expect(status, output).toBe(0);
  return output;
}

describe('planFatImage', () => {
  it('writes an EFI image as FAT12 that fsck.fat finds clean and mtools and our reader read back byte for byte', async () => {
    const entries = efiEntries();
    const { path, sizeBytes } = await writeImage(entries, 'efi.img');
    expectCleanFsck(path);
    expect(mtoolsList(path)).toEqual(entries.map((entry) => entry.path).sort());
    const expected = await expectedHashes(entries);
    for (const [imagePath, hash] of expected) expect(sha256(mtoolsRead(path, imagePath)), imagePath).toBe(hash);
    const ours = await hashesThroughOurReader(path);
    expect(ours.type).toBe('FAT12');
    expect(ours.hashes).toEqual(expected);
    expect(execFileSync('mdir', ['-i', path, '::/EFI/BOOT'], { encoding: 'utf8', env: utf8Env })).toMatch(/^BOOTX64 {2}EFI /m);
    const probe = execFileSync('blkid', ['-p', '-o', 'export', path], { encoding: 'utf8' });
    expect(probe).toMatch(/^LABEL=ISOTOPE\\ EFI$/m);
    expect(probe).toMatch(/^VERSION=FAT12$/m);
    // The smallest: 512-byte clusters, so the files' bytes rounded to sectors plus the FATs, root and boot sector (a few KiB).
    const dataBytes = entries.reduce((sum, entry) => sum + Math.max(entry.type === 'directory' ? 1 : 0, Math.ceil(entry.sizeBytes / 512)) * 512, 0);
    expect(sizeBytes).toBeGreaterThanOrEqual(dataBytes);
    expect(sizeBytes).toBeLessThan(dataBytes + 8 * 1024);
  });

  it('chooses FAT16 when FAT12 cannot hold the files (5,000 one-byte files need 5,000 clusters), and fsck.fat agrees', async () => {
    const entries: FatInputEntry[] = [directory('/many')];
    for (let index = 0; index < 5000; index += 1) entries.push(file(`/many/f${index}`, seededBytes(1, index + 10)));
    const { path } = await writeImage(entries, 'many.img');
    expect(expectCleanFsck(path)).toMatch(/2 FATs, 16 bit entries/);
    const ours = await hashesThroughOurReader(path);
    expect(ours.type).toBe('FAT16');
    expect(ours.hashes).toEqual(await expectedHashes(entries));
  });

  it('holds a file larger than FAT12 with 512-byte clusters could (3 MB) in larger clusters and stays FAT12', async () => {
    const entries = [directory('/EFI'), directory('/EFI/BOOT'), file('/EFI/BOOT/BOOTX64.EFI', seededBytes(3_000_000, 7))];
    const { path, sizeBytes } = await writeImage(entries, 'big.img');
    expectCleanFsck(path);
    const ours = await hashesThroughOurReader(path);
    expect(ours.type).toBe('FAT12');
    expect(ours.hashes).toEqual(await expectedHashes(entries));
    expect(sizeBytes).toBeLessThan(3_000_000 + 64 * 1024);
  });

  it('writes an empty image (no files) that fsck.fat finds clean', async () => {
    const { path } = await writeImage([], 'empty.img');
    expect(expectCleanFsck(path)).toMatch(/2 FATs, 12 bit entries/);
    expect(mtoolsList(path)).toEqual([]);
  });

  it('refuses a root folder with more entries than a FAT12/16 root region holds, giving the count', () => {
    const entries = Array.from({ length: 65_521 }, (_, index) => file(`/F${index}`, new Uint8Array(0)));
    expect(() => planFatImage({ entries, label: 'X', volumeId: 1 })).toThrow(/takes 65522 directory entries; a FAT12\/16 root holds at most 65520/);
  });

  it('refuses names one FAT folder cannot hold, naming them', () => {
    expect(() => planFatImage({ entries: [file('/A.EFI', seededBytes(1, 1)), file('/a.efi', seededBytes(1, 2))], label: 'X', volumeId: 1 })).toThrow(
      /\/a\.efi and \/A\.EFI differ only in case/,
    );
  });
});
