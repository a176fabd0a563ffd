// Hostile ISO 9660 images whose every loop is bounded but whose work multiplies (issue 12 §5): each is
// run through the real `isotope` command in a child with a 256 MiB heap and a wall-clock limit of 10×
// what a sane image of the same size costs. Each ends in a correct bounded answer or a clear
// corrupt-image error (exit code 3), never minutes or gigabytes.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIsoImage } from '../../src-main/iso/iso-tree.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { WorkBudgetExceededError } from '../../src-main/format/work-budget.ts';
import { expectWithinBounds, listedPaths, runIsotopeCapped } from '../helpers/capped-run.ts';
import { buildIso, concat, directoryExtent, directoryRecord, rockRidgeRootSystemUse, rr, sector } from './iso-builder.ts';

const heapMiB = 256;
const rootLba = 20;

/** Sectors a directory extent needs for "." and "..", then `records` (none crosses a sector). */
function sectorsFor(records: readonly Uint8Array[]): number {
  const largest = Math.max(34, ...records.map((record) => record.byteLength));
  return Math.ceil((records.length + 2) / Math.floor(sector / largest)) + 1;
}

/** A root directory (plain ISO 9660) holding one empty file record per identifier. */
function flatImage(identifiers: readonly string[]): Uint8Array {
  const records = identifiers.map((identifier) => directoryRecord({ identifier, lba: 0, sizeBytes: 0 }));
  const sectors = sectorsFor(records);
  const root = directoryExtent({ selfLba: rootLba, parentLba: rootLba, sectors, records });
  return buildIso({ sectorCount: rootLba + sectors, rootLba, rootSizeBytes: sectors * sector, sectors: new Map([[rootLba, root]]) });
}

/** Rock Ridge symbolic links `link0` .. whose SL entries all live in one continuation area they share. */
function sharedSymlinkAreaImage(options: { links: number; areaBytes: number }): Uint8Array {
  const areaLba = 21;
  // Every SL entry continues the link (flag 1) and adds one component "a": 8 bytes each.
  const slEntry = rr.sl([{ text: 'a' }], 1);
  const area = new Uint8Array(options.areaBytes);
  for (let at = 0; at + slEntry.byteLength <= area.byteLength; at += slEntry.byteLength) area.set(slEntry, at);
  const records = Array.from({ length: options.links }, (_, index) =>
    directoryRecord({
      identifier: `L${index};1`,
      lba: 0,
      sizeBytes: 0,
      systemUse: concat(rr.px(0o120777), rr.nm(`link${index}`), rr.ce(areaLba, 0, area.byteLength)),
    }),
  );
  const sectors = sectorsFor(records);
  const areaSectors = Math.ceil(area.byteLength / sector);
  const rootAt = areaLba + areaSectors;
  const root = directoryExtent({ selfLba: rootAt, parentLba: rootAt, sectors, selfSystemUse: rockRidgeRootSystemUse(), records });
  return buildIso({
    sectorCount: rootAt + sectors,
    rootLba: rootAt,
    rootSizeBytes: sectors * sector,
    sectors: new Map([
      [areaLba, area],
      [rootAt, root],
    ]),
  });
}

/**
 * `blocks` blocks of file records, and a root naming directories D1 .. D(blocks-1): Dk holds the last
 * k+1 blocks, so each overlaps the one before without starting where it did. A walk that only refuses a
 * start block met twice reads about blocks²/2 blocks: millions of entries from 1.2 MB.
 */
function overlappingDirectoriesImage(blocks: number): Uint8Array {
  const regionLba = 20;
  const region = new Uint8Array(blocks * sector);
  for (let block = 0; block < blocks; block += 1) {
    for (let index = 0, at = 0; ; index += 1) {
      const record = directoryRecord({ identifier: `F${block}_${index};1`, lba: 0, sizeBytes: 0 });
      if (at + record.byteLength > sector) break;
      region.set(record, block * sector + at);
      at += record.byteLength;
    }
  }
  const records = Array.from({ length: blocks - 1 }, (_, index) => {
    const k = index + 1;
    return directoryRecord({ identifier: `D${k}`, lba: regionLba + blocks - 1 - k, sizeBytes: (k + 1) * sector, flags: 2 });
  });
  const rootAt = regionLba + blocks;
  const sectors = sectorsFor(records);
  const root = directoryExtent({ selfLba: rootAt, parentLba: rootAt, sectors, records });
  return buildIso({
    sectorCount: rootAt + sectors,
    rootLba: rootAt,
    rootSizeBytes: sectors * sector,
    sectors: new Map([
      [regionLba, region],
      [rootAt, root],
    ]),
  });
}

const sameNameCount = 20_000;
let folder = '';
/** What listing a sane image of the same size (20,000 distinct names) costs, child start included. */
let saneMs = 0;

function write(name: string, bytes: Uint8Array): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'isotope-hostile-budget-'));
  const sane = write('sane.iso', flatImage(Array.from({ length: sameNameCount }, (_, index) => `F${String(index).padStart(5, '0')};1`)));
  const run = runIsotopeCapped(['ls', sane], { heapMiB, timeoutMs: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout.trim().split('\n')).toHaveLength(sameNameCount);
  saneMs = run.elapsedMs;
}, 150_000);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('hostile ISO 9660 images cost bounded time and memory', () => {
  it('lists 20,000 entries with the same name as A, A~2 .. A~20000 in about the time distinct names take', () => {
    const path = write('same-name.iso', flatImage(Array.from({ length: sameNameCount }, () => 'A;1')));
    const run = runIsotopeCapped(['ls', path], { heapMiB, timeoutMs: 20 * saneMs });
    expectWithinBounds(run, saneMs);
    expect(run.status, run.stderr).toBe(0);
    const names = listedPaths(run.stdout);
    expect(names).toHaveLength(sameNameCount);
    expect(names.slice(0, 3)).toEqual(['/A', '/A~2', '/A~3']);
    expect(names.at(-1)).toBe(`/A~${sameNameCount}`);
  }, 150_000);

  it('joins Rock Ridge SL targets of 30,000 continued components, shared by 64 records through one CE area, in linear time', () => {
    const areaBytes = 240 * 1024;
    const path = write('shared-sl.iso', sharedSymlinkAreaImage({ links: 64, areaBytes }));
    const run = runIsotopeCapped(['ls', path], { heapMiB, timeoutMs: 20 * saneMs });
    expectWithinBounds(run, saneMs);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(64);
    const components = areaBytes / 8;
    expect(lines[0]).toContain(`/link0 -> ${Array.from({ length: components }, () => 'a').join('/')}`);
  }, 150_000);

  it('refuses directories whose extents overlap, in ls -R and in extract, before reading millions of entries', () => {
    const path = write('overlapping.iso', overlappingDirectoriesImage(600));
    const listed = runIsotopeCapped(['ls', '-R', path], { heapMiB, timeoutMs: 20 * saneMs });
    expectWithinBounds(listed, saneMs);
    expect(listed.status, listed.stderr).toBe(3);
    // D1 holds blocks 618-619; D2 starts at 617 and runs into 618.
    expect(listed.stderr).toMatch(/directory \/D2 at logical block 617 overlaps logical block 618 of a directory already visited \(sector \d+, offset \d+\)/);
    const destination = join(folder, 'extracted');
    const extracted = runIsotopeCapped(['extract', path, '--to', destination], { heapMiB, timeoutMs: 20 * saneMs });
    expectWithinBounds(extracted, saneMs);
    expect(extracted.status, extracted.stderr).toBe(3);
    expect(extracted.stderr).toMatch(/overlaps logical block 618/);
    expect(existsSync(destination) ? readdirSync(destination) : []).toEqual([]);
  }, 150_000);
});

describe('the work budget of an ISO 9660 tree', () => {
  it('refuses 2,000 records that all name one 120 KiB continuation area: the image describes more than it holds', async () => {
    const areaLba = 21;
    // 255-byte entries of an unknown signature: cheap to skip, so what stops the listing is the budget.
    const filler = concat(Uint8Array.of(0x58, 0x58, 255, 1), new Uint8Array(251));
    const area = new Uint8Array(120 * 1024);
    for (let at = 0; at + filler.byteLength <= area.byteLength; at += filler.byteLength) area.set(filler, at);
    const records = Array.from({ length: 2000 }, (_, index) =>
      directoryRecord({ identifier: `F${index};1`, lba: 0, sizeBytes: 0, systemUse: concat(rr.px(0o100644), rr.ce(areaLba, 0, area.byteLength)) }),
    );
    const sectors = sectorsFor(records);
    const rootAt = areaLba + area.byteLength / sector;
    const root = directoryExtent({ selfLba: rootAt, parentLba: rootAt, sectors, selfSystemUse: rockRidgeRootSystemUse(), records });
    const image = buildIso({
      sectorCount: rootAt + sectors,
      rootLba: rootAt,
      rootSizeBytes: sectors * sector,
      sectors: new Map([
        [areaLba, area],
        [rootAt, root],
      ]),
    });
    const opened = await openIsoImage(createMemorySource(image, 'shared-ce.iso'));
    const error = await opened!.listDirectory(opened!.root).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkBudgetExceededError);
    expect((error as Error).message).toMatch(
      /^this image describes \d+× more data than it holds: the SUSP continuation area at offset 43008 brings the work to \d+ bytes for a \d+-byte image/,
    );
  });

  it('lists a directory again (a lookup per requested path) without paying for it twice', async () => {
    const image = flatImage(Array.from({ length: 2000 }, (_, index) => `F${index};1`));
    const opened = await openIsoImage(createMemorySource(image));
    for (let lookup = 0; lookup < 100; lookup += 1) expect(await opened!.lookup(`/F${lookup}`)).not.toBeNull();
    // 100 lookups of a 2,000-entry root would cost 100 × 2,000 × 256 bytes = 51 MB if each paid.
  });
});
