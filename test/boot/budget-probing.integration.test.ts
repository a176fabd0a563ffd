// Boot analysis of hostile disk images (issue 12 §5): a GPT whose 8,192 entries all name one FAT
// volume with a 65,535-entry root, and 2,048 entries naming 2,048 FAT volumes that share one such root.
// `isotope boot` runs in a child with a 256 MiB heap and a wall-clock limit of 10× the same image
// with one GPT entry: each volume is probed once, and the probes together are paid from one budget.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { WorkBudgetExceededError } from '../../src-main/format/work-budget.ts';
import { expectWithinBounds, runIsotopeCapped } from '../helpers/capped-run.ts';

const sectorBytes = 512;
const heapMiB = 256;
const entriesLba = 2;
/** UEFI 2.10 5.3.3: the 128-byte entries of the partition entry array (8,192 fill its 1 MiB limit). */
const entryBytes = 128;
/** FAT spec 3.1: BPB_RootEntCnt at its largest: a 2 MiB fixed root directory. */
const rootEntries = 65_535;
const rootSectors = Math.ceil((rootEntries * 32) / sectorBytes);
const dataSectors = 16;
/** The EFI system partition type C12A7328-F81F-11D2-BA4B-00A0C93EC93B, as GPT stores it. */
const espType = Uint8Array.of(0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b);

interface Layout {
  /** GPT entries: each names the FAT volume at `volumeLbas[index % volumeLbas.length]`. */
  readonly gptEntries: number;
  /** Boot sectors at consecutive LBAs; every one's reserved sectors end where the one shared FAT and root begin. */
  readonly volumes: number;
}

/**
 * A protective MBR, a GPT whose entry array fills `gptEntries` × 128 bytes, then `volumes` FAT12 boot
 * sectors in a row, one FAT sector and one 65,535-entry root directory they all share.
 */
function gptFatImage(layout: Layout): Uint8Array {
  const arraySectors = (8192 * entryBytes) / sectorBytes;
  const firstVolumeLba = entriesLba + arraySectors;
  const fatLba = firstVolumeLba + layout.volumes;
  const totalSectors = fatLba + 1 + rootSectors + dataSectors;
  const image = new Uint8Array(totalSectors * sectorBytes);
  const view = new DataView(image.buffer);

  // Sector 0: a protective MBR (UEFI 2.10 5.2.3), one 0xEE partition covering the disk.
  image[446 + 4] = 0xee;
  view.setUint32(446 + 8, 1, true);
  view.setUint32(446 + 12, totalSectors - 1, true);
  image.set([0x55, 0xaa], 510);

  // The FAT12 volumes: volume i at firstVolumeLba + i reserves the sectors up to the shared FAT.
  for (let index = 0; index < layout.volumes; index += 1) {
    const at = (firstVolumeLba + index) * sectorBytes;
    const reservedSectors = layout.volumes - index;
    image.set([0xeb, 0x3c, 0x90], at);
    view.setUint16(at + 11, sectorBytes, true);
    image[at + 13] = 1; // sectors per cluster
    view.setUint16(at + 14, reservedSectors, true);
    image[at + 16] = 1; // one FAT
    view.setUint16(at + 17, rootEntries, true);
    view.setUint16(at + 19, reservedSectors + 1 + rootSectors + dataSectors, true);
    view.setUint16(at + 22, 1, true); // sectors per FAT
    image.set([0x55, 0xaa], at + 510);
  }
  image.set([0xf8, 0xff, 0xff], fatLba * sectorBytes);
  // The shared root: 65,535 files, none of them EFI.
  const rootAt = (fatLba + 1) * sectorBytes;
  for (let index = 0; index < rootEntries; index += 1) {
    const name = `F${String(index).padStart(7, '0')}TXT`;
    for (let character = 0; character < 11; character += 1) image[rootAt + index * 32 + character] = name.charCodeAt(character);
    image[rootAt + index * 32 + 11] = 0x20; // archive
  }

  // The partition entry array: entry i names volume i mod volumes, to the end of the disk.
  const array = image.subarray(entriesLba * sectorBytes, (entriesLba + arraySectors) * sectorBytes);
  const arrayView = new DataView(array.buffer, array.byteOffset, array.byteLength);
  for (let index = 0; index < layout.gptEntries; index += 1) {
    const at = index * entryBytes;
    array.set(espType, at);
    arrayView.setUint32(at + 16, index + 1, true); // a unique partition GUID
    arrayView.setBigUint64(at + 32, BigInt(firstVolumeLba + (index % layout.volumes)), true);
    arrayView.setBigUint64(at + 40, BigInt(totalSectors - 1), true);
  }
  // Sector 1: the GPT header (UEFI 2.10 table 5-5), CRC32s last.
  const header = image.subarray(sectorBytes, 2 * sectorBytes);
  const headerView = new DataView(header.buffer, header.byteOffset, 92);
  header.set(new TextEncoder().encode('EFI PART'), 0);
  headerView.setUint32(8, 0x00010000, true);
  headerView.setUint32(12, 92, true);
  headerView.setBigUint64(24, 1n, true);
  headerView.setBigUint64(32, BigInt(totalSectors - 1), true);
  headerView.setBigUint64(40, BigInt(firstVolumeLba), true);
  headerView.setBigUint64(48, BigInt(totalSectors - 2), true);
  headerView.setBigUint64(72, BigInt(entriesLba), true);
  headerView.setUint32(80, 8192, true);
  headerView.setUint32(84, entryBytes, true);
  headerView.setUint32(88, crc32(array), true);
  headerView.setUint32(16, crc32(header.subarray(0, 92)), true);
  return image;
}

let folder = '';
/** What `isotope boot` costs on the same layout with one GPT entry, child start included. */
let saneMs = 0;

function write(name: string, bytes: Uint8Array): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'isotope-boot-budget-'));
  const sane = write('sane.img', gptFatImage({ gptEntries: 1, volumes: 1 }));
  const run = runIsotopeCapped(['boot', '--json', sane], { heapMiB, timeoutMs: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout).gpt.partitions).toHaveLength(1);
  saneMs = run.elapsedMs;
}, 150_000);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('boot analysis of hostile partition tables', () => {
  it('probes one FAT volume named by 8,192 GPT entries once, and reports all 8,192 partitions', () => {
    const path = write('same-volume.img', gptFatImage({ gptEntries: 8192, volumes: 1 }));
    const run = runIsotopeCapped(['boot', '--json', path], { heapMiB, timeoutMs: 20 * saneMs });
    expectWithinBounds(run, saneMs);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { gpt: { partitions: unknown[] }; espLoaders: unknown[] };
    expect(report.gpt.partitions).toHaveLength(8192);
    expect(report.espLoaders).toEqual([]);
  }, 150_000);

  it('refuses 2,048 FAT volumes sharing one 2 MiB root: the probes describe more than the image holds', () => {
    const path = write('shared-root.img', gptFatImage({ gptEntries: 2048, volumes: 2048 }));
    const run = runIsotopeCapped(['boot', path], { heapMiB, timeoutMs: 20 * saneMs });
    expectWithinBounds(run, saneMs);
    expect(run.status, run.stderr).toBe(3);
    expect(run.stderr).toMatch(
      /this image describes \d+× more data than it holds: the (FAT root directory at byte \d+|65535 entries of the FAT directory at cluster 0) brings the work to/,
    );
  }, 150_000);
});

describe('the boot analysis budget', () => {
  it('stops the shared-root probes with WorkBudgetExceededError', async () => {
    const error = await readBootReport(createMemorySource(gptFatImage({ gptEntries: 2048, volumes: 2048 }))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkBudgetExceededError);
  });
});
