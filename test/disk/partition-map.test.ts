// readPartitionMap on crafted tables: the hostile ones (partitions past the end, overlapping, an EBR
// chain that loops, one 10,000 links long, a GPT declaring a huge entry array, a partition over the
// table itself) end bounded with a warning naming the numbers, or a CorruptImageError when nothing
// sane is left; and the real tables sfdisk writes read back as sfdisk lists them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { maxLogicalPartitions, readPartitionMap } from '../../src-main/disk/partition-map.ts';
import { parseGuid } from '../../src-main/disk/guid.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { diskFixturePath } from '../fixtures/disk-images.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-partition-map-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sector = 512;

interface Slot {
  readonly type: number;
  readonly startLba: number;
  readonly sectorCount: number;
  readonly bootable?: boolean;
}

/** An MBR (or EBR) sector's four slots and its 0x55 0xAA, written at `lba` of `disk`. */
function writeTable(disk: Buffer, lba: number, slots: readonly Slot[]): void {
  slots.forEach((slot, index) => {
    const at = lba * sector + 446 + index * 16;
    disk[at] = slot.bootable ? 0x80 : 0;
    disk[at + 4] = slot.type;
    disk.writeUInt32LE(slot.startLba, at + 8);
    disk.writeUInt32LE(slot.sectorCount, at + 12);
  });
  disk[lba * sector + 510] = 0x55;
  disk[lba * sector + 511] = 0xaa;
}

const mapOf = (disk: Buffer) => readPartitionMap(createMemorySource(disk, 'crafted.img'));

describe('MBR tables', () => {
  it('numbers logical partitions 5, 6, ... with EBR offsets relative to the extended partition', async () => {
    const disk = Buffer.alloc(64 * 1024 * 1024);
    writeTable(disk, 0, [
      { type: 0x0c, startLba: 2048, sectorCount: 8192, bootable: true },
      { type: 0x0f, startLba: 20480, sectorCount: 40960 },
    ]);
    // First EBR: a logical 2048 sectors after it, then the next EBR 10240 sectors into the extended one.
    writeTable(disk, 20480, [
      { type: 0x83, startLba: 2048, sectorCount: 4096 },
      { type: 0x05, startLba: 10240, sectorCount: 8192 },
    ]);
    writeTable(disk, 30720, [{ type: 0x82, startLba: 2048, sectorCount: 2048 }]);
    const map = await mapOf(disk);
    expect(map.table).toBe('mbr');
    expect(
      map.partitions.map((partition) => [
        partition.number,
        partition.offsetBytes / sector,
        partition.sizeBytes / sector,
        partition.logical,
        partition.typeName,
      ]),
    ).toEqual([
      [1, 2048, 8192, false, 'W95 FAT32 (LBA)'],
      [5, 22528, 4096, true, 'Linux'],
      [6, 32768, 2048, true, 'Linux swap / Solaris'],
    ]);
    expect(map.partitions[0]?.bootable).toBe(true);
    expect(map.requiredTargetBytes).toBe((32768 + 2048) * sector);
    expect(map.warnings).toEqual([]);
  });

  it('leaves out a primary slot that has a type but no sectors, as Linux does, keeping the numbers of the others', async () => {
    const disk = Buffer.alloc(8 * 1024 * 1024);
    writeTable(disk, 0, [
      { type: 0x0c, startLba: 2048, sectorCount: 4096 },
      { type: 0x83, startLba: 0, sectorCount: 0 },
      { type: 0x83, startLba: 8192, sectorCount: 4096 },
    ]);
    const map = await mapOf(disk);
    expect(map.partitions.map((partition) => partition.number)).toEqual([1, 3]);
  });

  it('stops an EBR chain that loops back, keeping the logicals before the loop', async () => {
    const disk = Buffer.alloc(8 * 1024 * 1024);
    writeTable(disk, 0, [{ type: 0x05, startLba: 2048, sectorCount: 8192 }]);
    writeTable(disk, 2048, [
      { type: 0x83, startLba: 64, sectorCount: 64 },
      { type: 0x05, startLba: 1024, sectorCount: 1024 },
    ]);
    // The second EBR links back to the first (offset 0 in the extended partition).
    writeTable(disk, 3072, [
      { type: 0x83, startLba: 64, sectorCount: 64 },
      { type: 0x05, startLba: 0, sectorCount: 1024 },
    ]);
    const map = await mapOf(disk);
    expect(map.partitions.map((partition) => partition.number)).toEqual([5, 6]);
    expect(map.warnings).toEqual(['the chain of logical partitions loops back to the EBR at sector 2048; it is read up to there']);
  });

  it('cuts a 10,000-link EBR chain at the 256 logicals Linux reads, in bounded time', async () => {
    const links = 10_000;
    const disk = Buffer.alloc((2048 + links * 2 + 16) * sector);
    writeTable(disk, 0, [{ type: 0x05, startLba: 2048, sectorCount: links * 2 + 8 }]);
    for (let link = 0; link < links; link += 1) {
      writeTable(disk, 2048 + link * 2, [
        { type: 0x83, startLba: 1, sectorCount: 1 },
        { type: 0x05, startLba: (link + 1) * 2, sectorCount: 2 },
      ]);
    }
    const started = performance.now();
    const map = await mapOf(disk);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(map.partitions).toHaveLength(maxLogicalPartitions);
    expect(map.partitions.at(-1)?.number).toBe(4 + maxLogicalPartitions);
    expect(map.warnings).toEqual([`the chain of logical partitions is longer than 256 links; the rest (from sector ${2048 + 256 * 2}) is not read`]);
  });

  it('warns about partitions past the end of the image and about overlaps, and the target never needs more than the image', async () => {
    const disk = Buffer.alloc(4 * 1024 * 1024);
    writeTable(disk, 0, [
      { type: 0x83, startLba: 2048, sectorCount: 8192 },
      { type: 0x83, startLba: 4096, sectorCount: 1024 },
      { type: 0x83, startLba: 100_000, sectorCount: 10 },
    ]);
    const map = await mapOf(disk);
    expect(map.partitions.map((partition) => partition.withinImage)).toEqual([false, true, false]);
    expect(map.warnings).toEqual([
      `partition 1 ends at byte ${10240 * sector}, past the end of the image (4194304 bytes)`,
      `partition 3 ends at byte ${100_010 * sector}, past the end of the image (4194304 bytes)`,
      `partitions 1 and 2 overlap: 1 ends at byte ${10240 * sector}, 2 starts at byte ${4096 * sector}`,
    ]);
    expect(map.requiredTargetBytes).toBe(disk.byteLength);
  });

  it('warns about a partition starting over the partition table itself', async () => {
    const disk = Buffer.alloc(1024 * 1024);
    writeTable(disk, 0, [{ type: 0x83, startLba: 0, sectorCount: 2048 }]);
    const map = await mapOf(disk);
    expect(map.warnings).toEqual(['partition 1 starts at byte 0, inside the partition table itself (which ends at byte 512)']);
  });

  it('reads a FAT boot sector (0x55 0xAA and all) as no partition table', async () => {
    const volume = join(scratch, 'bare-fat.img');
    runTool('mkfs.fat', ['-C', '-F', '16', '-s', '4', volume, '16384']);
    expect((await mapOf(readFileSync(volume))).table).toBe('none');
  });
});

/** A GPT header at LBA 1 pointing to `entries` at LBA 2 (CRCs computed), behind a protective MBR. */
function writeGpt(disk: Buffer, entries: Buffer, options: { entryCount: number; entryBytes?: number }): void {
  writeTable(disk, 0, [{ type: 0xee, startLba: 1, sectorCount: disk.byteLength / sector - 1 }]);
  const header = disk.subarray(sector, 2 * sector);
  header.write('EFI PART', 0, 'latin1');
  header.writeUInt32LE(0x00010000, 8);
  header.writeUInt32LE(92, 12);
  header.writeUInt32LE(1, 24); // MyLBA
  header.writeUInt32LE(disk.byteLength / sector - 1, 32); // AlternateLBA
  header.writeUInt32LE(34, 40);
  header.writeUInt32LE(disk.byteLength / sector - 34, 48);
  header.writeUInt32LE(2, 72); // PartitionEntryLBA
  header.writeUInt32LE(options.entryCount, 80);
  header.writeUInt32LE(options.entryBytes ?? 128, 84);
  header.writeUInt32LE(crc32(entries), 88);
  entries.copy(disk, 2 * sector, 0, Math.min(entries.byteLength, disk.byteLength - 2 * sector));
  header.writeUInt32LE(crc32(header.subarray(0, 92)), 16);
}

function gptEntry(type: string, firstLba: number, lastLba: number, name: string): Buffer {
  const entry = Buffer.alloc(128);
  Buffer.from(parseGuid(type)).copy(entry, 0);
  entry.writeUInt32LE(firstLba, 32);
  entry.writeUInt32LE(lastLba, 40);
  entry.write(name, 56, 'utf16le');
  return entry;
}

describe('GPT tables', () => {
  it('reads the entries behind a protective MBR, with type names, GPT names and the backup header in the target size', async () => {
    const disk = Buffer.alloc(8 * 1024 * 1024);
    const entries = Buffer.concat([
      gptEntry('C12A7328-F81F-11D2-BA4B-00A0C93EC93B', 2048, 4095, 'EFI'),
      gptEntry('0FC63DAF-8483-4772-8E79-3D69D8477DE4', 4096, 8191, 'root'),
      Buffer.alloc(126 * 128),
    ]);
    writeGpt(disk, entries, { entryCount: 128 });
    const map = await mapOf(disk);
    expect(map.table).toBe('gpt');
    expect(map.partitions.map((partition) => [partition.number, partition.typeName, partition.name, partition.offsetBytes])).toEqual([
      [1, 'EFI System', 'EFI', 2048 * sector],
      [2, 'Linux filesystem', 'root', 4096 * sector],
    ]);
    expect(map.requiredTargetBytes).toBe(disk.byteLength);
  });

  it('refuses a GPT declaring a huge entry array as corrupt, naming the count, when the MBR is only protective', async () => {
    const disk = Buffer.alloc(1024 * 1024);
    writeGpt(disk, Buffer.alloc(0), { entryCount: 0x7fffffff });
    await expect(mapOf(disk)).rejects.toThrow(CorruptImageError);
    // Read twice: the first read must leave the image as it was (a Buffer's slice is a view: checking
    // the header CRC once zeroed it in the image, and the second read failed on the CRC instead).
    await expect(mapOf(disk)).rejects.toThrow(/2147483647 partition entries/);
  });

  it('reads sfdisk GPT and dos tables as sfdisk --json lists them', async () => {
    for (const table of ['gpt', 'dos']) {
      const path = join(scratch, `${table}.img`);
      runTool('truncate', ['-s', '64M', path]);
      const script =
        table === 'gpt'
          ? 'label: gpt\nsize=8MiB, type=U\nsize=16MiB, type=L, name="second"\n'
          : 'label: dos\nsize=8MiB, type=c\ntype=5\nsize=4MiB, type=83\nsize=4MiB, type=82\n';
      execFileSync('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', path], { input: script });
      const listed = (
        JSON.parse(runTool('sfdisk', ['--json', path])) as { partitiontable: { partitions: { node: string; start: number; size: number; type: string }[] } }
      ).partitiontable.partitions.filter((partition) => partition.type !== '5');
      const map = await mapOf(readFileSync(path));
      expect(map.partitions.map((partition) => [partition.number, partition.offsetBytes / sector, partition.sizeBytes / sector])).toEqual(
        listed.map((partition) => [Number(/(\d+)$/.exec(partition.node)?.[1]), partition.start, partition.size]),
      );
    }
  });
});

describe('many partitions naming one volume', () => {
  it('opens a GPT of 8,192 entries that all name the same FAT volume with one probe, in bounded time', async () => {
    const volume = join(scratch, 'shared-fat.img');
    runTool('mkfs.fat', ['-C', '-F', '12', '-n', 'SHARED', volume, '2048']);
    const disk = Buffer.alloc(8 * 1024 * 1024);
    readFileSync(volume).copy(disk, 4 * 1024 * 1024);
    const entryCount = 8192;
    const entries = Buffer.concat(Array.from({ length: entryCount }, () => gptEntry('EBD0A0A2-B9E5-4433-87C0-68B6B72699C7', 8192, 8192 + 4095, 'same')));
    writeGpt(disk, entries, { entryCount });
    const { openDiskImage } = await import('../../src-main/image/disk-image.ts');
    const started = performance.now();
    const opened = await openDiskImage(createMemorySource(disk, 'shared.img'));
    const elapsedMs = performance.now() - started;
    // One probe serves every entry naming the same bytes: 8,192 folders of one volume, opened once.
    expect(elapsedMs).toBeLessThan(3000); // about 0.8 s (4 s before probes were shared); room for a loaded machine
    expect(opened?.info.partitions).toHaveLength(entryCount);
    expect(opened?.info.partitions[8191]?.folderName).toBe('8192-SHARED (FAT12)');
    expect(opened?.info.warnings.at(-1)).toMatch(/^and \d+ more such problems$/);
  });
});

describe('the backup GPT', () => {
  it('stands in for a damaged or wiped primary GPT, with a warning, and lists what sfdisk lists from the intact image', async () => {
    const intact = readFileSync(diskFixturePath('gpt'));
    const expected = (await mapOf(intact)).partitions;
    expect(expected).toHaveLength(4);
    const damaged = Buffer.from(intact);
    damaged[sector + 100] = 0xff; // a byte of the header's reserved area: the header CRC no longer matches
    damaged.writeUInt32LE((damaged.readUInt32LE(sector + 16) ^ 1) >>> 0, sector + 16); // unsigned: a CRC of 2^31 or more XORs to a negative number
    const fromBackup = await mapOf(damaged);
    expect(fromBackup.partitions).toEqual(expected);
    const lastLba = intact.byteLength / sector - 1;
    expect(fromBackup.warnings).toEqual([
      expect.stringMatching(new RegExp(`^the primary GPT is damaged \\(GPT header CRC32 is .*\\); the backup GPT at sector ${lastLba} is read instead$`)),
    ]);
    const wiped = Buffer.from(intact);
    wiped.fill(0, sector, 34 * sector);
    const afterWipe = await mapOf(wiped);
    expect(afterWipe.partitions).toEqual(expected);
    expect(afterWipe.warnings).toEqual([`the primary GPT is missing; the backup GPT at sector ${lastLba} is read instead`]);
    expect(afterWipe.requiredTargetBytes).toBe(intact.byteLength);
  });
});
