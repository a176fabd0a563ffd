// Hostile ext volumes: a small mkfs.ext4 volume (test/fixtures/ext-images.ts) patched in memory at the
// places debugfs names (imap, blocks, ex, stat), one rule broken per test. Each must end in a
// CorruptImageError naming the inode, block or offset, quickly (no hang) and within the work budget.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openExtFilesystem } from '../../src-main/ext/ext-tree.ts';
import { UnsupportedExtFeatureError } from '../../src-main/ext/ext-volume.ts';
import { openDiskImage } from '../../src-main/image/disk-image.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import type { FilesystemTree } from '../../src-main/format/filesystem-tree.ts';
import { WorkBudget, WorkBudgetExceededError } from '../../src-main/format/work-budget.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { CancelledError } from '../../src-main/jobs/errors.ts';
import { extHostileBasePath, hostileBaseBlockBytes as blockBytes } from '../fixtures/ext-images.ts';
import { doubleIndirectBlock, extentNodeBlock, firstBlock, inodeNumber, inodeOffset } from './ext-debugfs.ts';

/** Where the directory entry naming `name` lies in the directory block at `blockNumber`. */
function entryOffset(bytes: Buffer, blockNumber: number, name: string): number {
  const block = bytes.subarray(blockNumber * blockBytes, (blockNumber + 1) * blockBytes);
  const at = block.indexOf(Buffer.from(name));
  if (at < 8) throw new Error(`no entry named ${name} in block ${blockNumber}`);
  return blockNumber * blockBytes + at - 8;
}

/** i_block starts 0x28 bytes into an inode; an extent header is 12 bytes, entries 12. */
const iBlock = 0x28;

async function openPatched(type: 'ext4' | 'ext2', patch: (bytes: Buffer, image: string) => void, budget?: WorkBudget): Promise<FilesystemTree | null> {
  const image = extHostileBasePath(type);
  const bytes = readFileSync(image);
  patch(bytes, image);
  return openExtFilesystem(createMemorySource(bytes, 'hostile.img'), budget ? { budget } : {});
}

/** Opens, then lists every entry; what fails is what the test expects. */
async function walkPatched(type: 'ext4' | 'ext2', patch: (bytes: Buffer, image: string) => void, budget?: WorkBudget): Promise<number> {
  const tree = await openPatched(type, patch, budget);
  if (!tree) throw new Error('no ext volume');
  let count = 0;
  for await (const batch of tree.walkBatches()) count += batch.length;
  return count;
}

describe('hostile ext volumes', () => {
  it('lists the unpatched volume (the base every test breaks)', async () => {
    expect(await walkPatched('ext4', () => undefined)).toBe(6);
    expect(await walkPatched('ext2', () => undefined)).toBe(6);
  });

  it('refuses an extent index node that points back at itself (an extent tree loop)', async () => {
    const walk = walkPatched('ext4', (bytes, image) => {
      const inode = inodeOffset(image, '/islands.bin');
      const node = extentNodeBlock(image, '/islands.bin');
      bytes.writeUInt16LE(2, inode + iBlock + 6); // the root now has depth 2: its child is an index node
      const at = node * blockBytes;
      bytes.writeUInt16LE(1, at + 2); // one entry
      bytes.writeUInt16LE(1, at + 6); // depth 1
      bytes.writeUInt32LE(0, at + 12); // ei_block 0
      bytes.writeUInt32LE(node, at + 16); // ei_leaf_lo: itself
      bytes.writeUInt16LE(0, at + 20);
    });
    await expect(walk).rejects.toThrow(CorruptImageError);
    await expect(walk).rejects.toThrow(/a loop in the file's block tree.*offset \d+/);
  });

  it('refuses an extent header of depth 60', async () => {
    const walk = walkPatched('ext4', (bytes, image) => bytes.writeUInt16LE(60, inodeOffset(image, '/a.txt') + iBlock + 6));
    await expect(walk).rejects.toThrow(/inode 12: the extent node has depth 60, expected at most 5 \(1024-byte sector \d+, offset \d+\)/);
  });

  it('refuses an extent root claiming 5 entries, more than i_block holds, naming the inode and offset', async () => {
    const walk = walkPatched('ext4', (bytes, image) => bytes.writeUInt16LE(5, inodeOffset(image, '/a.txt') + iBlock + 2));
    await expect(walk).rejects.toThrow(/inode 12: the extent node claims 5 entries, room for 4 \(1024-byte sector \d+, offset \d+\)/);
  });

  it('refuses an extent of 0 blocks in the root, naming the offset of that extent', async () => {
    let extentAt = 0;
    const walk = walkPatched('ext4', (bytes, image) => {
      extentAt = inodeOffset(image, '/a.txt') + iBlock + 12;
      bytes.writeUInt16LE(0, extentAt + 4); // ee_len 0
    });
    await expect(walk).rejects.toThrow(/inode 12: the extent node holds an extent of 0 blocks/);
    await expect(walk).rejects.toThrow(new RegExp(`offset ${extentAt}\\)`));
  });

  it('refuses an extent whose blocks lie beyond the volume', async () => {
    const walk = walkPatched('ext4', (bytes, image) => bytes.writeUInt32LE(1_000_000, inodeOffset(image, '/a.txt') + iBlock + 12 + 8));
    await expect(walk).rejects.toThrow(/inode 12: blocks 1000000\.\.1000000 lie outside the volume's 4096 blocks/);
  });

  it('refuses an i_size of 2^60 bytes', async () => {
    const walk = walkPatched('ext4', (bytes, image) => bytes.writeUInt32LE(2 ** 28, inodeOffset(image, '/a.txt') + 0x6c));
    await expect(walk).rejects.toThrow(/inode 12: i_size 11529215046068\d+ is past the largest file 1024-byte blocks can address/);
  });

  it('refuses a directory entry naming an inode beyond s_inodes_count', async () => {
    const walk = walkPatched('ext4', (bytes, image) => bytes.writeUInt32LE(0xfffffff0, entryOffset(bytes, firstBlock(image, '/'), 'a.txt')));
    await expect(walk).rejects.toThrow(/inode 4294967280 is outside the volume's inodes 1\.\.1024 \(1024-byte sector \d+, offset \d+\)/);
  });

  it('refuses a superblock whose s_inodes_count is more than its inode tables hold', async () => {
    const open = openPatched('ext4', (bytes) => bytes.writeUInt32LE(bytes.readUInt32LE(1024 + 0x28) + 1, 1024));
    await expect(open).rejects.toThrow(/s_inodes_count 1025 is more than its 1 groups of 1024 inodes hold/);
  });

  it('refuses a directory that contains itself', async () => {
    const walk = walkPatched('ext4', (bytes, image) => {
      bytes.writeUInt32LE(inodeNumber(image, '/dir'), entryOffset(bytes, firstBlock(image, '/dir'), 'sub'));
    });
    await expect(walk).rejects.toThrow(/directory \/dir\/sub is inode 13, which the walk has entered already \(a directory loop\)/);
  });

  it('refuses a directory entry whose rec_len is 0', async () => {
    const walk = walkPatched('ext4', (bytes, image) => bytes.writeUInt16LE(0, firstBlock(image, '/dir') * blockBytes + 4));
    await expect(walk).rejects.toThrow(/directory entry: rec_len 0 is not a multiple of 4 within 8\.\.1024 .*offset \d+/);
  });

  it('refuses a directory entry whose rec_len runs past its block', async () => {
    const walk = walkPatched('ext4', (bytes, image) => {
      const at = entryOffset(bytes, firstBlock(image, '/dir'), 'sub');
      bytes.writeUInt16LE(blockBytes, at + 4);
    });
    await expect(walk).rejects.toThrow(/directory entry: rec_len 1024 is not a multiple of 4 within 8\.\.1000/);
  });

  it('refuses a group descriptor table that runs past the end of the image', async () => {
    const open = openPatched('ext4', (bytes) => bytes.writeUInt32LE(0xffffffff, 1024 + 0x4));
    await expect(open).rejects.toThrow(/its \d+ groups need \d+ bytes of group descriptors, more than the 4194304-byte image holds/);
  });

  it('refuses an ext2 double indirect block that points at itself', async () => {
    const walk = walkPatched('ext2', (bytes, image) => {
      const block = doubleIndirectBlock(image, '/islands.bin');
      bytes.writeUInt32LE(block, block * blockBytes);
    });
    await expect(walk).rejects.toThrow(/a block pointer names block \d+ again \(a loop in the file's block tree\) .*offset \d+/);
  });

  it('refuses an ext2 indirect pointer beyond the volume', async () => {
    const walk = walkPatched('ext2', (bytes, image) => bytes.writeUInt32LE(99_999_999, inodeOffset(image, '/islands.bin') + iBlock + 13 * 4));
    await expect(walk).rejects.toThrow(/a block pointer names block 99999999, outside the volume's 4096 blocks/);
  });

  it('refuses an incompatible feature it cannot read (encryption), and a disk image shows the volume as not browsable for that reason', async () => {
    const encrypt = (bytes: Buffer): void => {
      bytes.writeUInt32LE(bytes.readUInt32LE(1024 + 0x60) | 0x10000, 1024 + 0x60);
    };
    const open = openPatched('ext4', encrypt);
    await expect(open).rejects.toThrow(UnsupportedExtFeatureError);
    await expect(open).rejects.toThrow(/the ext volume uses the incompatible feature encrypt \(0x10000\), which Isotope cannot read/);
    const bytes = readFileSync(extHostileBasePath('ext4'));
    encrypt(bytes);
    const disk = await openDiskImage(createMemorySource(bytes, 'encrypted.img'));
    expect(disk?.info.partitions[0]?.filesystem).toMatchObject({
      kind: 'ext4',
      browsable: false,
      notBrowsableKind: 'unsupported', // an intact volume: not called damaged
      notBrowsableReason: expect.stringMatching(/^the ext volume uses/),
    });
    expect((await disk?.tree.lookup('/'))?.partition).toMatchObject({ filesystem: 'ext4', browsable: false, notBrowsableKind: 'unsupported' });
  });

  it('stops at the work budget when the listing costs more than the image may', async () => {
    const walk = walkPatched('ext4', () => undefined, new WorkBudget(0, { perSourceByte: 0, baseBytes: 4096 }));
    await expect(walk).rejects.toThrow(WorkBudgetExceededError);
  });

  it('stops a walk when its signal is aborted', async () => {
    const image = extHostileBasePath('ext4');
    const controller = new AbortController();
    const tree = (await openExtFilesystem(createMemorySource(readFileSync(image)), { signal: controller.signal })) as FilesystemTree;
    controller.abort();
    await expect(tree.listDirectory(tree.root)).rejects.toThrow(CancelledError);
  });
});
