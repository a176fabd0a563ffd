// The MBR and GPT buildPartitionTable writes, on sparse disk files: our own readers read back exactly
// what was written, and the reference tools agree (sfdisk -d/-V, sgdisk -v, blkid -p, fsck.exfat on
// an exFAT volume inside). An MBR is compared byte for byte with the one sfdisk writes for the same
// partition, a GPT (both copies) with the one sgdisk writes for the same GUIDs. signatureWipeRanges is shown to leave blkid and sgdisk nothing to find on a disk that
// held a GPT and ext4.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BootWarning } from '../../shared/boot.ts';
import type { PartitionTableChoice } from '../../shared/stick.ts';
import { readGuidPartitionTable } from '../../src-main/disk/guid-partition-table.ts';
import { readMasterBootRecord } from '../../src-main/disk/master-boot-record.ts';
import { buildPartitionTable, signatureWipeRanges, singlePartitionLayout, type NewPartition } from '../../src-main/disk/partition-table-writer.ts';
import { planExfatVolume } from '../../src-main/fat/exfat-writer.ts';
import { composeSource } from '../../src-main/io/composed-source.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-table-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mebibyte = 1024 * 1024;
const gibibyte = 1024 * mebibyte;
/** Not a whole number of MiB, so the layout's rounding shows. */
const oddDiskBytes = gibibyte + 1234 * 512;
const diskId = Uint8Array.from({ length: 16 }, (_, index) => index * 17);

function writeAt(path: string, pieces: readonly { offsetBytes: number; bytes: Uint8Array }[]): void {
  const file = openSync(path, 'r+');
  try {
    for (const piece of pieces) writeSync(file, piece.bytes, 0, piece.bytes.byteLength, piece.offsetBytes);
  } finally {
    closeSync(file);
  }
}

function readAt(path: string, offsetBytes: number, lengthBytes: number): Buffer {
  const file = openSync(path, 'r');
  try {
    const bytes = Buffer.alloc(lengthBytes);
    readSync(file, bytes, 0, lengthBytes, offsetBytes);
    return bytes;
  } finally {
    closeSync(file);
  }
}

function sparseDisk(name: string, sizeBytes: number): string {
  const path = join(scratch, name);
  rmSync(path, { force: true });
  execFileSync('truncate', ['-s', String(sizeBytes), path]);
  return path;
}

/** A disk file holding the table and, when asked, an empty exFAT volume in its one partition. */
async function writtenDisk(
  name: string,
  sizeBytes: number,
  table: PartitionTableChoice,
  partition: Partial<NewPartition> = {},
  withVolume = false,
): Promise<string> {
  const path = sparseDisk(name, sizeBytes);
  const layout = singlePartitionLayout(sizeBytes, table);
  const written = buildPartitionTable({
    table,
    diskSizeBytes: sizeBytes,
    partition: { ...layout, fileSystem: 'exfat', esp: false, name: 'Isotope', ...partition },
    diskId,
  });
  const pieces = [{ offsetBytes: 0, bytes: written.head }, ...(written.tail ? [written.tail] : [])];
  if (withVolume) {
    const volume = planExfatVolume({ volumeSizeBytes: layout.sectorCount * 512, hiddenSectors: layout.firstLba, label: 'STICK', volumeId: 0xabcd1234 });
    pieces.push({ offsetBytes: layout.firstLba * 512, bytes: await volume.source.read(0, volume.source.sizeBytes) });
  }
  writeAt(path, pieces);
  return path;
}

function run(command: string, args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

function blkid(path: string, extra: readonly string[] = []): Record<string, string> {
  const { output } = run('blkid', ['-p', '-o', 'export', ...extra, path]);
  return Object.fromEntries(
    output
      .trim()
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => line.split('=', 2) as [string, string]),
  );
}

describe('singlePartitionLayout', () => {
  it('starts at 1 MiB and ends a whole MiB before the last MiB of the disk', () => {
    for (const table of ['mbr', 'gpt'] as const) {
      const { firstLba, sectorCount } = singlePartitionLayout(oddDiskBytes, table);
      expect(firstLba).toBe(2048);
      expect(sectorCount % 2048).toBe(0);
      expect((firstLba + sectorCount) * 512).toBe(gibibyte - mebibyte);
    }
  });

  it('ends an MBR partition by 2 TiB (32-bit LBAs) but lets a GPT one fill a 3 TiB disk', () => {
    const mbr = singlePartitionLayout(3 * 1024 * gibibyte, 'mbr');
    expect(mbr.firstLba + mbr.sectorCount).toBe(2 ** 32);
    const gpt = singlePartitionLayout(3 * 1024 * gibibyte, 'gpt');
    expect((gpt.firstLba + gpt.sectorCount) * 512).toBe(3 * 1024 * gibibyte - mebibyte);
  });

  it('refuses a disk too small for a table, a partition and the end room, naming its size', () => {
    expect(() => singlePartitionLayout(2 * mebibyte, 'gpt')).toThrow(
      expect.objectContaining({ code: 'target-too-small', message: expect.stringMatching(/the drive has 2097152/) }),
    );
  });
});

describe('buildPartitionTable: MBR', () => {
  it('writes one active partition our reader, sfdisk and blkid read back as written', async () => {
    const path = await writtenDisk('mbr.img', oddDiskBytes, 'mbr', { fileSystem: 'fat32' });
    const source = await openFileSource(path);
    try {
      expect((await readMasterBootRecord(source))?.partitions).toEqual([
        { index: 1, type: 0x0c, bootable: true, startLba: 2048, sectorCount: (gibibyte - 2 * mebibyte) / 512, withinImage: true },
      ]);
    } finally {
      await source.close();
    }
    expect(run('sfdisk', ['-d', path]).output).toMatch(/label-id: 0x33221100\n[\s\S]*start=\s*2048, size=\s*2093056, type=c, bootable/);
    expect(run('sfdisk', ['-V', path])).toMatchObject({ status: 0, output: expect.stringContaining('No errors detected') });
    expect(blkid(path)).toMatchObject({ PTTYPE: 'dos', PTUUID: '33221100' });
  });

  it.each([
    { what: 'inside the first 1024 cylinders', diskBytes: 100 * mebibyte },
    { what: 'past cylinder 1023 (CHS FE FF FF)', diskBytes: 64 * gibibyte },
  ])('writes the partition record and CHS fields sfdisk writes, $what', async ({ diskBytes }) => {
    const ours = await writtenDisk('chs-ours.img', diskBytes, 'mbr');
    const theirs = sparseDisk('chs-theirs.img', diskBytes);
    const { firstLba, sectorCount } = singlePartitionLayout(diskBytes, 'mbr');
    execFileSync('sfdisk', ['--quiet', '--label', 'dos', theirs], {
      input: `label-id: 0x33221100\nstart=${firstLba}, size=${sectorCount}, type=7, bootable\n`,
    });
    expect(readAt(ours, 0, 512).toString('hex')).toBe(readAt(theirs, 0, 512).toString('hex'));
  });

  it('ends its partition by 2 TiB on a 3 TiB disk, which sfdisk accepts', async () => {
    const path = await writtenDisk('mbr-3tib.img', 3 * 1024 * gibibyte, 'mbr');
    expect(run('sfdisk', ['-V', path])).toMatchObject({ status: 0, output: expect.stringContaining('No errors detected') });
    expect(run('sfdisk', ['-d', path]).output).toMatch(/start=\s*2048, size=\s*4294965248, type=7, bootable/);
  });

  it('writes the disk signature from the disk id, so one id gives the same bytes', () => {
    const layout = singlePartitionLayout(oddDiskBytes, 'mbr');
    const build = (id: Uint8Array): Uint8Array =>
      buildPartitionTable({ table: 'mbr', diskSizeBytes: oddDiskBytes, partition: { ...layout, fileSystem: 'exfat', esp: false, name: '' }, diskId: id }).head;
    expect(build(diskId)).toEqual(build(diskId.slice()));
    expect(Buffer.from(build(diskId).subarray(440, 444)).toString('hex')).toBe('00112233');
  });
});

describe('buildPartitionTable: GPT', () => {
  it('writes a protective MBR, both headers and entries that our reader, sfdisk, sgdisk and blkid accept', async () => {
    const path = await writtenDisk('gpt.img', oddDiskBytes, 'gpt', { name: 'Isotope stick' });
    const source = await openFileSource(path);
    const diskSectors = Math.floor(oddDiskBytes / 512);
    try {
      expect((await readMasterBootRecord(source))?.partitions).toEqual([
        { index: 1, type: 0xee, bootable: false, startLba: 1, sectorCount: diskSectors - 1, withinImage: true },
      ]);
      const warnings: BootWarning[] = [];
      const gpt = await readGuidPartitionTable(source, warnings);
      expect(warnings).toEqual([]);
      expect(gpt).toMatchObject({ backupHeaderLba: diskSectors - 1, firstUsableLba: 34, lastUsableLba: diskSectors - 34, entriesLba: 2, entryCount: 128 });
      expect(gpt?.partitions).toMatchObject([
        { index: 1, typeName: 'basic-data', name: 'Isotope stick', firstLba: 2048, lastLba: (gibibyte - mebibyte) / 512 - 1 },
      ]);
      // RFC 9562 version 4, variant 10: what "a random GUID" means.
      expect(gpt?.diskGuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
      expect(gpt?.partitions[0]?.partitionGuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
      expect(gpt?.partitions[0]?.partitionGuid).not.toBe(gpt?.diskGuid);
    } finally {
      await source.close();
    }
    expect(run('sgdisk', ['-v', path])).toMatchObject({ status: 0, output: expect.stringContaining('No problems found') });
    expect(run('sfdisk', ['-V', path])).toMatchObject({ status: 0, output: expect.stringContaining('No errors detected') });
    expect(run('sfdisk', ['-d', path]).output).toMatch(
      /start=\s*2048, size=\s*2093056, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=[-0-9A-F]+, name="Isotope stick"/,
    );
    expect(blkid(path)).toMatchObject({ PTTYPE: 'gpt' });
  });

  it('writes the bytes sgdisk writes for the same partition and GUIDs, head and backup alike', async () => {
    const sizeBytes = 8 * gibibyte;
    const ours = await writtenDisk('gpt-ours.img', sizeBytes, 'gpt', { esp: true, fileSystem: 'fat32', name: 'EFI stick' });
    const source = await openFileSource(ours);
    const gpt = await readGuidPartitionTable(source, []).finally(() => source.close());
    const { firstLba, sectorCount } = singlePartitionLayout(sizeBytes, 'gpt');
    const theirs = sparseDisk('gpt-theirs.img', sizeBytes);
    execFileSync(
      'sgdisk',
      [
        '--clear',
        `--disk-guid=${gpt?.diskGuid}`,
        `--new=1:${firstLba}:${firstLba + sectorCount - 1}`,
        '--typecode=1:EF00',
        '--change-name=1:EFI stick',
        `--partition-guid=1:${gpt?.partitions[0]?.partitionGuid}`,
        theirs,
      ],
      { stdio: 'ignore' },
    );
    const headBytes = 34 * 512;
    const tailOffsetBytes = sizeBytes - 33 * 512;
    expect(readAt(ours, 0, headBytes).equals(readAt(theirs, 0, headBytes))).toBe(true);
    expect(readAt(ours, tailOffsetBytes, 33 * 512).equals(readAt(theirs, tailOffsetBytes, 33 * 512))).toBe(true);
  });

  it('gives the ESP type when asked, and a backup table sgdisk can restore the primary from', async () => {
    const path = await writtenDisk('esp.img', 64 * mebibyte, 'gpt', { esp: true, fileSystem: 'fat32' });
    expect(run('sfdisk', ['-d', path]).output).toContain('type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
    writeAt(path, [{ offsetBytes: 512, bytes: new Uint8Array(33 * 512) }]); // the primary header and entries lost
    const verify = run('sgdisk', ['-v', path]);
    expect(verify.output).toMatch(/invalid main GPT header, but valid backup/);
    expect(verify.output).toMatch(/Backup header: OK/);
  });

  it('covers a 3 TiB disk: the protective record says 2^32 - 1 sectors, the backup lies at the last LBA, and sgdisk finds no problem', async () => {
    const sizeBytes = 3 * 1024 * gibibyte;
    const path = await writtenDisk('gpt-3tib.img', sizeBytes, 'gpt');
    const source = await openFileSource(path);
    try {
      expect((await readMasterBootRecord(source))?.partitions[0]).toMatchObject({ type: 0xee, startLba: 1, sectorCount: 0xffffffff });
      expect(await readGuidPartitionTable(source, [])).toMatchObject({ backupHeaderLba: sizeBytes / 512 - 1 });
    } finally {
      await source.close();
    }
    expect(run('sgdisk', ['-v', path])).toMatchObject({ status: 0, output: expect.stringContaining('No problems found') });
  });

  it('cuts a long name to the 36 UTF-16 units an entry holds, never between the halves of a surrogate pair', async () => {
    const layout = singlePartitionLayout(oddDiskBytes, 'gpt');
    const name = `${'n'.repeat(35)}😀 and more`; // the emoji's two units would be units 36 and 37
    const written = buildPartitionTable({ table: 'gpt', diskSizeBytes: oddDiskBytes, partition: { ...layout, fileSystem: 'exfat', esp: false, name }, diskId });
    const disk = composeSource('disk', oddDiskBytes, [{ offsetBytes: 0, bytes: written.head }, written.tail!]);
    expect((await readGuidPartitionTable(disk, []))?.partitions[0]?.name).toBe('n'.repeat(35));
  });

  it('derives its GUIDs from the disk id: one id, one table; another id, other GUIDs', () => {
    const layout = singlePartitionLayout(oddDiskBytes, 'gpt');
    const build = (id: Uint8Array): ReturnType<typeof buildPartitionTable> =>
      buildPartitionTable({ table: 'gpt', diskSizeBytes: oddDiskBytes, partition: { ...layout, fileSystem: 'exfat', esp: false, name: 'x' }, diskId: id });
    expect(build(diskId)).toEqual(build(diskId.slice()));
    const other = build(diskId.map((byte) => byte ^ 0xff));
    expect(Buffer.from(other.head.subarray(512 + 56, 512 + 72)).equals(Buffer.from(build(diskId).head.subarray(512 + 56, 512 + 72)))).toBe(false);
    expect(Buffer.from(other.head.subarray(1024 + 16, 1024 + 32)).equals(Buffer.from(build(diskId).head.subarray(1024 + 16, 1024 + 32)))).toBe(false);
  });
});

describe('an exFAT volume inside a new table', () => {
  it.each(['mbr', 'gpt'] as const)('is found by blkid in its %s partition and passes fsck.exfat', async (table) => {
    const path = await writtenDisk(`${table}-exfat.img`, oddDiskBytes, table, {}, true);
    expect(blkid(path, ['-O', String(mebibyte)])).toMatchObject({ TYPE: 'exfat', LABEL: 'STICK', UUID: 'ABCD-1234' });
    const partition = join(scratch, `${table}-partition.img`);
    execFileSync('dd', [`if=${path}`, `of=${partition}`, 'bs=1M', 'skip=1', 'count=1022', 'conv=sparse', 'status=none']);
    expect(run('fsck.exfat', ['-n', partition])).toMatchObject({ status: 0, output: expect.stringContaining('clean') });
  });
});

describe('signatureWipeRanges', () => {
  it('are the first and the last MiB', () => {
    expect(signatureWipeRanges(oddDiskBytes)).toEqual([
      { offsetBytes: 0, lengthBytes: mebibyte },
      { offsetBytes: oddDiskBytes - mebibyte, lengthBytes: mebibyte },
    ]);
    expect(signatureWipeRanges(mebibyte + 512)).toEqual([
      { offsetBytes: 0, lengthBytes: mebibyte },
      { offsetBytes: mebibyte, lengthBytes: 512 },
    ]);
  });

  function wipe(path: string, ranges: readonly { offsetBytes: number; lengthBytes: number }[]): void {
    writeAt(
      path,
      ranges.map((range) => ({ offsetBytes: range.offsetBytes, bytes: new Uint8Array(range.lengthBytes) })),
    );
  }

  it('leave nothing for blkid or sgdisk on a disk that held a GPT and ext4; the first MiB alone leaves the backup GPT', () => {
    const sizeBytes = 64 * mebibyte;
    const path = sparseDisk('old-gpt.img', sizeBytes);
    execFileSync('sgdisk', ['-n', '1:2048:+60M', path], { stdio: 'ignore' });
    execFileSync('mkfs.ext4', ['-q', '-F', '-E', `offset=${mebibyte}`, path, '61440']);
    expect(blkid(path)).toMatchObject({ PTTYPE: 'gpt' });
    expect(blkid(path, ['-O', String(mebibyte)])).toMatchObject({ TYPE: 'ext4' });

    const [first, last] = signatureWipeRanges(sizeBytes);
    wipe(path, [first!]);
    expect(run('sgdisk', ['-v', path]).output).toMatch(/valid backup/);
    wipe(path, [last!]);
    expect(run('blkid', ['-p', path])).toMatchObject({ status: 2, output: '' });
    expect(run('sgdisk', ['-v', path]).output).toMatch(/Creating new GPT entries in memory[\s\S]*No problems found/);
    expect(run('sfdisk', ['-d', path]).output).toMatch(/does not contain a recognized partition table/);
  });

  it('leave nothing for blkid on a disk formatted ext4 whole', () => {
    const path = sparseDisk('old-ext4.img', 64 * mebibyte);
    execFileSync('mkfs.ext4', ['-q', '-F', path]);
    expect(blkid(path)).toMatchObject({ TYPE: 'ext4' });
    wipe(path, signatureWipeRanges(64 * mebibyte));
    expect(run('blkid', ['-p', path])).toMatchObject({ status: 2, output: '' });
  });
});
