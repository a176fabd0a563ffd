// Hostile UDF images whose every loop is bounded but whose work multiplies (issue 12 §5), built from
// the small genisoimage -udf image by appending blocks and re-sealing tags. Each runs through the real
// `isotope` command in a child with a 256 MiB heap and a wall-clock limit of 10× what a sane image of
// the same size costs; each ends in a correct bounded answer or a clear corrupt-image error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { WorkBudgetExceededError } from '../../src-main/format/work-budget.ts';
import { openUdfTree } from '../../src-main/udf/udf-tree.ts';
import { udfSmallIsoPath } from '../fixtures/udf-images.ts';
import { expectWithinBounds, listedPaths, runIsotopeCapped } from '../helpers/capped-run.ts';
import { getUint16, getUint32, resealTag, resealTagCovering, setUint16, setUint32 } from './udf-patching.ts';

const blockBytes = 2048;
const heapMiB = 256;

/** Where the seed keeps what the builders below reuse (checked against the seed in `seedLayout`). */
interface SeedLayout {
  readonly bytes: Uint8Array;
  readonly partitionStart: number;
  /** Partition-relative block of the root's file entry, and of README.TXT's. */
  readonly rootIcbBlock: number;
  readonly readmeIcbBlock: number;
}

async function seedLayout(): Promise<SeedLayout> {
  const bytes = new Uint8Array(readFileSync(udfSmallIsoPath()));
  const tree = await openUdfTree(createMemorySource(bytes));
  if (!tree) throw new Error('the seed has no UDF tree');
  const partitionStart = (tree.partitions[0] as { startSector: number }).startSector;
  const readme = (await tree.lookup('/README.TXT'))!;
  return { bytes, partitionStart, rootIcbBlock: tree.root.extentLba - partitionStart, readmeIcbBlock: readme.extentLba - partitionStart };
}

/** ECMA-167 4/14.4: a file identifier descriptor naming `name` ("" for the parent) at the ICB `icbBlock`. */
function fileIdentifier(name: string, icbBlock: number, characteristics = 0): Uint8Array {
  const identifier = name === '' ? [] : [8, ...Array.from(name, (character) => character.charCodeAt(0))];
  const fid = new Uint8Array(4 * Math.ceil((38 + identifier.length) / 4));
  setUint16(fid, 0, 257);
  setUint16(fid, 2, 2);
  setUint16(fid, 16, 1);
  fid[18] = characteristics;
  fid[19] = identifier.length;
  setUint32(fid, 20, blockBytes); // long_ad: length, then the block and partition 0
  setUint32(fid, 24, icbBlock);
  fid.set(identifier, 38);
  resealTagCovering(fid, 0, fid.byteLength - 16);
  return fid;
}

/**
 * The seed plus `appendedBlocks` blocks (the partition grown to cover them); `fill` writes them, given
 * the image and the partition-relative block of the first appended one. The root's file entry is then
 * pointed at the directory `fill` returns (its first block and length).
 */
function extendSeed(
  seed: SeedLayout,
  appendedBlocks: number,
  fill: (image: Uint8Array, firstBlock: number) => { block: number; lengthBytes: number },
): Uint8Array {
  const seedSectors = seed.bytes.byteLength / blockBytes;
  const image = new Uint8Array(seed.bytes.byteLength + appendedBlocks * blockBytes);
  image.set(seed.bytes);
  // ECMA-167 3/10.5: both volume descriptor sequences' partition descriptors grow to the new end.
  for (const anchorField of [16, 24]) {
    const sequence = getUint32(image, 256 * blockBytes + anchorField + 4);
    for (let sector = sequence; sector < sequence + 16; sector += 1) {
      if (getUint16(image, sector * blockBytes) !== 5) continue;
      setUint32(image, sector * blockBytes + 192, seedSectors + appendedBlocks - seed.partitionStart);
      resealTag(image, sector * blockBytes);
    }
  }
  const directory = fill(image, seedSectors - seed.partitionStart);
  // The root's file entry (short_ad form in the seed): its information length and its one extent.
  const rootAt = (seed.partitionStart + seed.rootIcbBlock) * blockBytes;
  setUint32(image, rootAt + 56, directory.lengthBytes);
  setUint32(image, rootAt + 60, 0);
  setUint32(image, rootAt + 176, directory.lengthBytes);
  setUint32(image, rootAt + 180, directory.block);
  resealTag(image, rootAt);
  return image;
}

/** Writes a directory of FIDs at `block` (partition-relative) and returns where it is. */
function writeDirectory(image: Uint8Array, seed: SeedLayout, block: number, fids: readonly Uint8Array[]): { block: number; lengthBytes: number } {
  let at = (seed.partitionStart + block) * blockBytes;
  const start = at;
  for (const fid of [fileIdentifier('', seed.rootIcbBlock, 8), ...fids]) {
    image.set(fid, at);
    at += fid.byteLength;
  }
  return { block, lengthBytes: at - start };
}

function blocksFor(fids: number, fidBytes: number): number {
  return Math.ceil(((fids + 1) * fidBytes) / blockBytes) + 1;
}

/** A root of `names.length` entries, every one naming README.TXT's file entry. */
function namesImage(seed: SeedLayout, names: readonly string[]): Uint8Array {
  const fids = names.map((name) => fileIdentifier(name, seed.readmeIcbBlock));
  const largest = Math.max(...fids.map((fid) => fid.byteLength));
  return extendSeed(seed, blocksFor(fids.length, largest), (image, firstBlock) => writeDirectory(image, seed, firstBlock, fids));
}

/**
 * One file entry whose allocation descriptors run through `aedBlocks` allocation extent descriptors of
 * 252 short_ads each (about a million extents of one 2 KiB block), named `references` times by the root.
 */
function manyExtentsImage(seed: SeedLayout, options: { aedBlocks: number; references: number }): Uint8Array {
  const adsPerAed = 252;
  const fids = Array.from({ length: options.references }, (_, index) => `big${index}`);
  const directoryBlocks = blocksFor(fids.length, 44);
  return extendSeed(seed, 1 + options.aedBlocks + directoryBlocks, (image, firstBlock) => {
    const entryBlock = firstBlock;
    const entryAt = (seed.partitionStart + entryBlock) * blockBytes;
    // A copy of README.TXT's file entry, moved: its one short_ad becomes "continue at the first AED".
    image.copyWithin(entryAt, (seed.partitionStart + seed.readmeIcbBlock) * blockBytes, (seed.partitionStart + seed.readmeIcbBlock + 1) * blockBytes);
    setUint32(image, entryAt + 12, entryBlock);
    const totalBytes = options.aedBlocks * adsPerAed * blockBytes;
    setUint32(image, entryAt + 56, totalBytes % 2 ** 32);
    setUint32(image, entryAt + 60, Math.floor(totalBytes / 2 ** 32));
    setUint32(image, entryAt + 176, (3 << 30) | blockBytes);
    setUint32(image, entryAt + 180, entryBlock + 1);
    resealTag(image, entryAt);
    for (let index = 0; index < options.aedBlocks; index += 1) {
      const block = entryBlock + 1 + index;
      const at = (seed.partitionStart + block) * blockBytes;
      // ECMA-167 4/14.5: tag 258, then the length of the descriptors that follow at byte 24.
      setUint16(image, at, 258);
      setUint16(image, at + 2, 2);
      setUint32(image, at + 12, block);
      const last = index === options.aedBlocks - 1;
      setUint32(image, at + 20, (adsPerAed + (last ? 0 : 1)) * 8);
      for (let ad = 0; ad < adsPerAed; ad += 1) {
        setUint32(image, at + 24 + ad * 8, blockBytes);
        setUint32(image, at + 28 + ad * 8, seed.readmeIcbBlock + 1);
      }
      if (!last) {
        setUint32(image, at + 24 + adsPerAed * 8, (3 << 30) | blockBytes);
        setUint32(image, at + 28 + adsPerAed * 8, block + 1);
      }
      resealTagCovering(image, at, 8 + (adsPerAed + 1) * 8);
    }
    return writeDirectory(
      image,
      seed,
      entryBlock + 1 + options.aedBlocks,
      fids.map((name) => fileIdentifier(name, entryBlock)),
    );
  });
}

const sameNameCount = 20_000;
let seed: SeedLayout;
let folder = '';
/** What listing a sane image of the same size (20,000 distinct names) costs, child start included. */
let saneMs = 0;

function write(name: string, bytes: Uint8Array): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

beforeAll(async () => {
  seed = await seedLayout();
  folder = mkdtempSync(join(tmpdir(), 'isotope-hostile-udf-budget-'));
  const sane = write(
    'sane.iso',
    namesImage(
      seed,
      Array.from({ length: sameNameCount }, (_, index) => `F${String(index).padStart(5, '0')}`),
    ),
  );
  const run = runIsotopeCapped(['ls', '--namespace', 'udf', sane], { heapMiB, timeoutMs: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout.trim().split('\n')).toHaveLength(sameNameCount);
  saneMs = run.elapsedMs;
}, 150_000);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('hostile UDF images cost bounded time and memory', () => {
  it('lists 20,000 entries with the same name as A, A~2 .. A~20000 in about the time distinct names take', () => {
    const path = write(
      'same-name.iso',
      namesImage(
        seed,
        Array.from({ length: sameNameCount }, () => 'A'),
      ),
    );
    const run = runIsotopeCapped(['ls', '--namespace', 'udf', path], { heapMiB, timeoutMs: 20 * saneMs });
    expectWithinBounds(run, saneMs);
    expect(run.status, run.stderr).toBe(0);
    const names = listedPaths(run.stdout);
    expect(names).toHaveLength(sameNameCount);
    expect(names.slice(0, 3)).toEqual(['/A', '/A~2', '/A~3']);
    expect(names.at(-1)).toBe(`/A~${sameNameCount}`);
  }, 150_000);

  it('refuses a file entry of about a million extents named 80 times in ls and info, within a 256 MiB heap', () => {
    const path = write('many-extents.iso', manyExtentsImage(seed, { aedBlocks: 3900, references: 80 }));
    const run = runIsotopeCapped(['ls', '--namespace', 'udf', path], { heapMiB, timeoutMs: 20 * saneMs });
    expectWithinBounds(run, saneMs);
    expect(run.status, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/this image describes \d+× more data than it holds: \/big\d+ brings the work to \d+ bytes for a \d+-byte image/);
    // `info` opens both trees and compares their roots: the same error, not a dead process.
    const info = runIsotopeCapped(['info', path], { heapMiB, timeoutMs: 20 * saneMs });
    expectWithinBounds(info, saneMs);
    expect(info.status, info.stderr).toBe(3);
    expect(info.stderr).toMatch(/this image describes \d+× more data than it holds/);
  }, 150_000);
});

describe('directory data in a UDF walk', () => {
  it('refuses a directory whose identifiers lie in data another directory already covers', async () => {
    const image = seed.bytes.slice();
    const tree = (await openUdfTree(createMemorySource(image)))!;
    const docs = (await tree.lookup('/docs'))!;
    const rootData = tree.root.extents[0] as { offsetBytes: number; sizeBytes: number };
    // /docs keeps the root's own identifiers: its file entry's one short_ad moves onto the root's data.
    const docsAt = docs.extentLba * blockBytes;
    setUint32(image, docsAt + 56, rootData.sizeBytes);
    setUint32(image, docsAt + 176, rootData.sizeBytes);
    setUint32(image, docsAt + 180, rootData.offsetBytes / blockBytes - seed.partitionStart);
    resealTag(image, docsAt);
    const walk = async (): Promise<void> => {
      for await (const entry of (await openUdfTree(createMemorySource(image)))!.walk()) void entry;
    };
    await expect(walk()).rejects.toThrow(
      `UDF: directory /docs keeps its identifiers in sector ${rootData.offsetBytes / blockBytes}, which another directory's data already covers`,
    );
  });
});

describe('the work budget of a UDF tree', () => {
  it('resolves a file entry of 100,800 extents when one name points at it', async () => {
    const tree = await openUdfTree(createMemorySource(manyExtentsImage(seed, { aedBlocks: 400, references: 1 })));
    const [big] = await tree!.listDirectory(tree!.root);
    expect(big?.extents).toHaveLength(400 * 252);
  });

  it('refuses the same file entry named 40 times over with WorkBudgetExceededError', async () => {
    const tree = await openUdfTree(createMemorySource(manyExtentsImage(seed, { aedBlocks: 400, references: 40 })));
    await expect(tree!.listDirectory(tree!.root)).rejects.toBeInstanceOf(WorkBudgetExceededError);
  });
});
