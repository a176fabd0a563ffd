// How a walk of an ext4 volume reads its image (issue 16's listing benchmark): the inode table in
// growing runs rather than one 64 KiB chunk per wait, and the next folders' blocks while the current
// folder is parsed, with every error of a folder read ahead still reported at that folder's turn.
// The volume is a real one: mkfs.ext4 -d of 60 folders of 50 files; the source is the image file,
// wrapped only to record the reads the reader asks of it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import type { TreeEntry } from '../../src-main/format/file-tree.ts';
import type { FilesystemTree } from '../../src-main/format/filesystem-tree.ts';
import { openExtFilesystem } from '../../src-main/ext/ext-tree.ts';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';

const folderCount = 60;
const filesPerFolder = 50;
const blockBytes = 4096;
let workDir = '';
let image = '';
/** Group 0's inode table, as dumpe2fs reports it: [first byte, end byte). */
let inodeTableBytes: readonly [number, number] = [0, 0];

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'isotope-ext-walk-'));
  const tree = join(workDir, 'tree');
  for (let folder = 0; folder < folderCount; folder += 1) {
    const dir = join(tree, `folder-${String(folder).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let file = 0; file < filesPerFolder; file += 1) writeFileSync(join(dir, `file ${file}.txt`), `${folder}/${file}\n`);
  }
  image = join(workDir, 'walk.img');
  execFileSync('mkfs.ext4', ['-q', '-F', '-b', String(blockBytes), '-N', '4096', '-d', tree, image, '24M']);
  const dump = execFileSync('dumpe2fs', [image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [, first, last] = /Inode table at (\d+)-(\d+)/u.exec(dump) ?? [];
  inodeTableBytes = [Number(first) * blockBytes, (Number(last) + 1) * blockBytes];
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface RecordedRead {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

/** `source` as is, recording each read and the most reads it had in flight at once. */
function recording(source: ByteSource): { source: ByteSource; reads: RecordedRead[]; maxInFlight: () => number } {
  const reads: RecordedRead[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const recorded: ByteSource = {
    ...source,
    async read(offsetBytes, lengthBytes) {
      reads.push({ offsetBytes, lengthBytes });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await source.read(offsetBytes, lengthBytes);
      } finally {
        inFlight -= 1;
      }
    },
  };
  return { source: recorded, reads, maxInFlight: () => maxInFlight };
}

async function walkAll(tree: FilesystemTree): Promise<TreeEntry[][]> {
  const batches: TreeEntry[][] = [];
  for await (const batch of tree.walkBatches()) batches.push([...batch]);
  return batches;
}

describe('a walk of 3,000 files in 60 folders of an ext4 volume', () => {
  it('reads the 770 KiB of used inode table in at most 5 reads (runs of 64 KiB doubling to 1 MiB), not one per 64 KiB chunk', async () => {
    const file = await openFileSource(image);
    try {
      const { source, reads } = recording(file);
      const batches = await walkAll((await openExtFilesystem(source)) as FilesystemTree);
      // Every folder and file, and lost+found.
      expect(batches.flat()).toHaveLength(folderCount * (filesPerFolder + 1) + 1);
      const [tableStart, tableEnd] = inodeTableBytes;
      const tableReads = reads.filter((read) => read.offsetBytes < tableEnd && read.offsetBytes + read.lengthBytes > tableStart);
      // 3,063 inodes of 256 bytes: 12 chunks of 64 KiB, read as runs of 1, 2, 4 and 8 chunks.
      expect(tableReads.length).toBeGreaterThan(0);
      expect(tableReads.length).toBeLessThanOrEqual(5);
    } finally {
      await file.close();
    }
  });

  it('has the next folders’ blocks read while it parses one (at least 8 reads in flight at once)', async () => {
    const file = await openFileSource(image);
    try {
      const { source, maxInFlight } = recording(file);
      await walkAll((await openExtFilesystem(source)) as FilesystemTree);
      expect(maxInFlight()).toBeGreaterThanOrEqual(8);
    } finally {
      await file.close();
    }
  });

  it('reports a damaged folder read ahead at its own turn, after every folder before it was listed', async () => {
    const bytes = new Uint8Array(readFileSync(image));
    const root = (await walkAll((await openExtFilesystem(createMemorySource(bytes, 'walk.img'))) as FilesystemTree))[0] as TreeEntry[];
    const damaged = root.filter((entry) => entry.name.startsWith('folder-'))[5] as TreeEntry;
    const blockOffsetBytes = damaged.extents[0]?.offsetBytes ?? 0;
    // directory.rst: rec_len (bytes 4-5 of the first entry) of 0 cannot tile the block.
    bytes.set([0, 0], blockOffsetBytes + 4);
    const tree = (await openExtFilesystem(createMemorySource(bytes, 'walk.img'))) as FilesystemTree;
    const listed: string[] = [];
    const walked = (async () => {
      for await (const batch of tree.walkBatches()) listed.push(batch[0]?.path ?? '');
    })();
    await expect(walked).rejects.toThrow(CorruptImageError);
    await expect(walked).rejects.toThrow(`(4096-byte sector ${blockOffsetBytes / blockBytes}, offset ${blockOffsetBytes})`);
    // The root's batch, then every folder (lost+found among them) before the damaged one in walk order.
    const before = root.slice(0, root.indexOf(damaged)).filter((entry) => entry.type === 'directory');
    expect(listed).toHaveLength(1 + before.length);
  });

  it('stopped after its first folder, leaves the reads it started ahead to end quietly when the image is closed', async () => {
    const file = await openFileSource(image);
    const tree = (await openExtFilesystem(file)) as FilesystemTree;
    for await (const batch of tree.walkBatches()) {
      expect(batch).toHaveLength(folderCount + 1); // and lost+found
      break;
    }
    await file.close();
    // An unhandled rejection from a read ahead would fail this test run here.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
