// identifyFilesystemSignature: a swap area made by mkswap reads back with the label, UUID and size
// blkid -p prints; the kinds no tool installed here makes (mkfs.ntfs, mkfs.btrfs, mkfs.xfs,
// cryptsetup, mksquashfs, ... are absent) are checked on their superblock magic and fields written by
// hand at libblkid's offsets, and blkid -p names LUKS, SquashFS, HFS+ and F2FS from those same headers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { identifyBrowsableKind, identifyFilesystemSignature } from '../../src-main/disk/filesystem-signatures.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { runTool } from '../fixtures/fixture-cache.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-signatures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const identify = (bytes: Buffer) => identifyFilesystemSignature(createMemorySource(bytes));

function blkid(path: string): Record<string, string> {
  const out = execFileSync('blkid', ['-p', '-o', 'export', path], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
}

describe('signature-only file systems', () => {
  it('names a mkswap area with the label, UUID and size blkid -p reads', async () => {
    const path = join(scratch, 'swap.img');
    runTool('truncate', ['-s', '8M', path]);
    runTool('mkswap', ['-L', 'myswap', '-U', '0a1b2c3d-1c2b-4e6f-9a0b-7c3d2e1f0a9b', path]);
    const found = await identify(readFileSync(path));
    const probed = blkid(path);
    expect(probed.TYPE).toBe('swap');
    expect(found).toMatchObject({ kind: 'swap', label: probed.LABEL, uuid: probed.UUID, sizeBytes: 8 * 1024 * 1024, browsable: false });
    expect(found?.notBrowsableReason).toMatch(/signature only/);
    expect(found?.notBrowsableKind).toBe('signature-only');
  });

  it('names hand-written NTFS, btrfs, XFS, LUKS, SquashFS, HFS+, APFS, LVM, F2FS and ZFS headers by their magic', async () => {
    const volume = (write: (bytes: Buffer) => void): Buffer => {
      const bytes = Buffer.alloc(256 * 1024);
      write(bytes);
      return bytes;
    };
    const cases: [string, Buffer, Record<string, unknown>][] = [
      [
        'ntfs',
        volume((b) => (b.write('NTFS    ', 3, 'latin1'), b.writeUInt16LE(512, 0x0b), b.writeUInt32LE(2048, 0x28), b.writeUInt32LE(0x89abcdef, 0x48))),
        { sizeBytes: 2048 * 512, uuid: '0000000089ABCDEF' },
      ],
      [
        'btrfs',
        volume((b) => (b.write('_BHRfS_M', 65536 + 64, 'latin1'), b.writeUInt32LE(1 << 30, 65536 + 0x70), b.write('pool', 65536 + 0x12b))),
        { label: 'pool', sizeBytes: 1 << 30 },
      ],
      [
        'xfs',
        volume((b) => (b.write('XFSB', 0, 'latin1'), b.writeUInt32BE(4096, 4), b.writeUInt32BE(1000, 12), b.write('data', 108))),
        { label: 'data', sizeBytes: 4096 * 1000 },
      ],
      [
        'luks',
        volume((b) => (b.write('LUKS\xba\xbe', 0, 'latin1'), b.writeUInt16BE(1, 6), b.write('f00dcafe-0000-4000-8000-000000000001', 168))),
        { uuid: 'f00dcafe-0000-4000-8000-000000000001' },
      ],
      ['squashfs', volume((b) => (b.write('hsqs', 0, 'latin1'), b.writeUInt16LE(4, 28), b.writeUInt32LE(123456, 40))), { sizeBytes: 123456 }],
      [
        'hfsplus',
        volume((b) => (b.write('H+', 1024, 'latin1'), b.writeUInt32BE(4096, 1024 + 40), b.writeUInt32BE(100, 1024 + 44), b.writeUInt32BE(40, 1024 + 48))),
        { sizeBytes: 409600, usedBytes: 60 * 4096 },
      ],
      ['apfs', volume((b) => (b.write('NXSB', 32, 'latin1'), b.writeUInt32LE(4096, 36), b.writeUInt32LE(50, 40))), { sizeBytes: 4096 * 50 }],
      [
        'lvm',
        volume(
          (b) => (
            b.write('LABELONE', 512, 'latin1'),
            b.writeUInt32LE(32, 512 + 20),
            b.write('LVM2 001', 512 + 24, 'latin1'),
            b.write('abcdef0123456789abcdef0123456789', 512 + 32)
          ),
        ),
        { uuid: 'abcdef-0123-4567-89ab-cdef-0123-456789' },
      ],
      ['f2fs', volume((b) => (b.writeUInt32LE(0xf2f52010, 1024), b.writeUInt32LE(12, 1024 + 16), b.writeUInt32LE(256, 1024 + 36))), { sizeBytes: 256 * 4096 }],
      ['zfs', volume((b) => b.writeUInt32LE(0x00bab10c, 128 * 1024 + 3 * 1024)), {}],
    ];
    for (const [kind, bytes, fields] of cases) expect(await identify(bytes), kind).toMatchObject({ kind, browsable: false, ...fields });
    // blkid -p accepts four of these bare headers (the others need more of a real volume): it names the same kind, and LUKS's UUID.
    const blkidNames: Record<string, string> = { luks: 'crypto_LUKS', squashfs: 'squashfs', hfsplus: 'hfsplus', f2fs: 'f2fs' };
    for (const [kind, bytes] of cases.filter(([kind]) => kind in blkidNames)) {
      const path = join(scratch, `${kind}.img`);
      writeFileSync(path, bytes);
      const probed = blkid(path);
      expect(probed.TYPE, kind).toBe(blkidNames[kind]);
      if (kind === 'luks') expect(probed.UUID).toBe((await identify(bytes))?.uuid);
    }
    expect(await identify(Buffer.alloc(256 * 1024))).toBeNull();
  });

  it('tells which browsable kind a damaged volume claims to be, by its magic', async () => {
    const fat = join(scratch, 'fat.img');
    runTool('mkfs.fat', ['-C', '-F', '12', fat, '2048']);
    expect(await identifyBrowsableKind(createMemorySource(readFileSync(fat)))).toBe('fat12');
    const ext = join(scratch, 'ext.img');
    writeFileSync(ext, Buffer.alloc(4 * 1024 * 1024));
    runTool('mkfs.ext4', ['-q', '-F', ext]);
    expect(await identifyBrowsableKind(createMemorySource(readFileSync(ext)))).toBe('ext4');
    runTool('mkfs.ext2', ['-q', '-F', ext]);
    expect(await identifyBrowsableKind(createMemorySource(readFileSync(ext)))).toBe('ext2');
  });
});
