// File systems Isotope names by their signature only (it cannot list their files): NTFS, btrfs, F2FS,
// XFS, swap, LUKS, SquashFS, HFS+, APFS, LVM and ZFS, with label, UUID and size where the superblock
// holds them at a fixed place. The offsets are those of util-linux's libblkid probes (superblocks/*.c),
// so `blkid -p` and Isotope name a partition alike. Also the kind of a damaged browsable volume (its
// reader refused it), so a damaged FAT still shows as "FAT32, not browsable: ...".
import type { FilesystemInfo, FilesystemKind } from '../../shared/image.ts';
import type { ByteSource } from '../io/byte-source.ts';

/** The first 128 KiB + 4 KiB: every signature below lies within it (ZFS's first uberblock at 128 KiB is the farthest). */
const probedBytes = 132 * 1024;

/** Why a signature-only file system lists no files. */
export const signatureOnlyReason = 'recognised by its signature only: Isotope has no reader for its files';

type Probe = (bytes: Uint8Array, sourceSizeBytes: number) => Omit<FilesystemInfo, 'browsable' | 'notBrowsableReason' | 'notBrowsableKind'> | null;

/** The signature-only file system at byte 0 of `source`; null when none of them is there. */
export async function identifyFilesystemSignature(source: ByteSource): Promise<FilesystemInfo | null> {
  const bytes = await source.read(0, Math.min(probedBytes, source.sizeBytes));
  for (const probe of probes) {
    const found = probe(bytes, source.sizeBytes);
    if (found) return { ...found, browsable: false, notBrowsableReason: signatureOnlyReason, notBrowsableKind: 'signature-only' };
  }
  return null;
}

/**
 * Which browsable kind the volume at byte 0 claims to be, by its magic alone (for a volume its reader
 * refused as damaged): FAT by BS_FilSysType (FAT spec 3.1, 3.3), exFAT by "EXFAT   " (exFAT 3.1.2),
 * ext by s_magic 0xEF53 and its journal/extent features, ISO 9660 by "CD001" at sector 16, UDF by "NSR0".
 */
export async function identifyBrowsableKind(source: ByteSource): Promise<FilesystemKind | null> {
  const bytes = await source.read(0, Math.min(probedBytes, source.sizeBytes));
  const text = (at: number, length: number): string => ascii(bytes, at, length);
  if (text(3, 8) === 'EXFAT   ') return 'exfat';
  if (text(82, 5) === 'FAT32') return 'fat32';
  if (text(54, 5) === 'FAT16') return 'fat16';
  if (text(54, 3) === 'FAT') return 'fat12';
  if (uint16Le(bytes, 1024 + 56) === 0xef53) {
    // ext4 superblock: s_feature_compat at 0x5C (HAS_JOURNAL 0x4), s_feature_incompat at 0x60 (EXTENTS 0x40, 64BIT 0x80, FLEX_BG 0x200).
    if ((uint32Le(bytes, 1024 + 0x60) & 0x2c0) !== 0) return 'ext4';
    return (uint32Le(bytes, 1024 + 0x5c) & 0x4) !== 0 ? 'ext3' : 'ext2';
  }
  if (text(32769, 5) === 'CD001') return 'iso9660';
  for (let at = 32769; at < 32769 + 8 * 2048; at += 2048) if (text(at, 4) === 'NSR0') return 'udf';
  return null;
}

const probes: readonly Probe[] = [
  // NTFS boot sector: OEM id "NTFS    " at 3, bytes per sector at 0x0B, total sectors (u64) at 0x28, serial at 0x48 (blkid prints it as 16 hex digits).
  (bytes) =>
    ascii(bytes, 3, 8) === 'NTFS    '
      ? { kind: 'ntfs', label: null, uuid: hex64Le(bytes, 0x48), sizeBytes: uint64Le(bytes, 0x28) * uint16Le(bytes, 0x0b), usedBytes: null }
      : null,
  // btrfs superblock at 64 KiB: magic "_BHRfS_M" at +64, fsid at +32, total_bytes at +0x70, bytes_used at +0x78, label (256) at +0x12B.
  (bytes) =>
    ascii(bytes, 65536 + 64, 8) === '_BHRfS_M'
      ? {
          kind: 'btrfs',
          label: cString(bytes, 65536 + 0x12b, 256),
          uuid: uuid(bytes, 65536 + 32),
          sizeBytes: uint64Le(bytes, 65536 + 0x70),
          usedBytes: uint64Le(bytes, 65536 + 0x78),
        }
      : null,
  // F2FS superblock at 1 KiB: magic 0xF2F52010, log_blocksize at +16, block_count (u64) at +36, uuid at +108.
  (bytes) =>
    uint32Le(bytes, 1024) === 0xf2f52010
      ? {
          kind: 'f2fs',
          label: null,
          uuid: uuid(bytes, 1024 + 108),
          sizeBytes: uint64Le(bytes, 1024 + 36) * 2 ** Math.min(uint32Le(bytes, 1024 + 16), 16),
          usedBytes: null,
        }
      : null,
  // XFS superblock (big-endian): "XFSB", sb_blocksize at 4, sb_dblocks at 8, sb_uuid at 32, sb_fname (12) at 108.
  (bytes) =>
    ascii(bytes, 0, 4) === 'XFSB'
      ? { kind: 'xfs', label: cString(bytes, 108, 12), uuid: uuid(bytes, 32), sizeBytes: uint32Be(bytes, 4) * uint64Be(bytes, 8), usedBytes: null }
      : null,
  swapProbe,
  // LUKS1/2 header: "LUKS\xBA\xBE", version at 6; uuid as 40 ASCII characters at 168; LUKS2 label (48) at 24.
  (bytes, sizeBytes) =>
    ascii(bytes, 0, 6) === 'LUKS\xba\xbe'
      ? { kind: 'luks', label: uint16Be(bytes, 6) === 2 ? cString(bytes, 24, 48) : null, uuid: cString(bytes, 168, 40), sizeBytes, usedBytes: null }
      : null,
  // SquashFS superblock: "hsqs", bytes_used (u64) at 40.
  (bytes) =>
    ascii(bytes, 0, 4) === 'hsqs' ? { kind: 'squashfs', label: null, uuid: null, sizeBytes: uint64Le(bytes, 40), usedBytes: uint64Le(bytes, 40) } : null,
  // HFS+ volume header at 1 KiB (big-endian): "H+" or "HX", blockSize at +40, totalBlocks at +44, freeBlocks at +48.
  (bytes) => {
    const signature = ascii(bytes, 1024, 2);
    if (signature !== 'H+' && signature !== 'HX') return null;
    const blockBytes = uint32Be(bytes, 1024 + 40);
    const totalBlocks = uint32Be(bytes, 1024 + 44);
    return {
      kind: 'hfsplus',
      label: null,
      uuid: null,
      sizeBytes: blockBytes * totalBlocks,
      usedBytes: blockBytes * Math.max(0, totalBlocks - uint32Be(bytes, 1024 + 48)),
    };
  },
  // APFS container superblock: "NXSB" at 32, nx_block_size at 36, nx_block_count (u64) at 40, nx_uuid at 72.
  (bytes) =>
    ascii(bytes, 32, 4) === 'NXSB'
      ? { kind: 'apfs', label: null, uuid: uuid(bytes, 72), sizeBytes: uint32Le(bytes, 36) * uint64Le(bytes, 40), usedBytes: null }
      : null,
  lvmProbe,
  zfsProbe,
];

/** Linux swap: "SWAPSPACE2" (or the old "SWAP-SPACE") in the last 10 bytes of the first page; v1 header: last_page at 1028, uuid at 1036, label (16) at 1052. */
function swapProbe(bytes: Uint8Array): ReturnType<Probe> {
  for (const pageBytes of [4096, 8192, 16384, 65536]) {
    const magic = ascii(bytes, pageBytes - 10, 10);
    if (magic !== 'SWAPSPACE2' && magic !== 'SWAP-SPACE') continue;
    const isVersion1 = magic === 'SWAPSPACE2';
    return {
      kind: 'swap',
      label: isVersion1 ? cString(bytes, 1052, 16) : null,
      uuid: isVersion1 ? uuid(bytes, 1036) : null,
      sizeBytes: isVersion1 ? (uint32Le(bytes, 1028) + 1) * pageBytes : 0,
      usedBytes: null,
    };
  }
  return null;
}

/** LVM2 physical volume: "LABELONE" in one of the first four sectors, "LVM2 001" at +24, the PV uuid (32 characters) at label + offset_xl. */
function lvmProbe(bytes: Uint8Array, sizeBytes: number): ReturnType<Probe> {
  for (let sector = 0; sector < 4; sector += 1) {
    const at = sector * 512;
    if (ascii(bytes, at, 8) !== 'LABELONE' || ascii(bytes, at + 24, 8) !== 'LVM2 001') continue;
    const headerAt = at + uint32Le(bytes, at + 20);
    const raw = ascii(bytes, headerAt, 32);
    // LVM prints the 32 characters in groups of 6-4-4-4-4-4-6.
    const groups = [6, 4, 4, 4, 4, 4, 6];
    let from = 0;
    const pvUuid = groups.map((length) => raw.slice(from, (from += length))).join('-');
    return { kind: 'lvm', label: null, uuid: raw.length === 32 ? pvUuid : null, sizeBytes: uint64Le(bytes, headerAt + 32) || sizeBytes, usedBytes: null };
  }
  return null;
}

/** ZFS: the vdev label's uberblock ring starts at 128 KiB; each uberblock begins with 0x00BAB10C (either byte order). */
function zfsProbe(bytes: Uint8Array, sizeBytes: number): ReturnType<Probe> {
  for (let at = 128 * 1024; at + 8 <= Math.min(bytes.byteLength, probedBytes); at += 1024) {
    if (uint64Le(bytes, at) === 0x00bab10c || uint64Be(bytes, at) === 0x00bab10c) return { kind: 'zfs', label: null, uuid: null, sizeBytes, usedBytes: null };
  }
  return null;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  if (at < 0 || at + length > bytes.byteLength) return '';
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** A NUL-terminated UTF-8 label; null when empty. */
function cString(bytes: Uint8Array, at: number, length: number): string | null {
  if (at + length > bytes.byteLength) return null;
  const field = bytes.subarray(at, at + length);
  const end = field.indexOf(0);
  const text = new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
  return text === '' ? null : text;
}

/** A 16-byte UUID as blkid prints it for these file systems: the bytes in stored order (RFC 4122), lower case; null when all zero. */
function uuid(bytes: Uint8Array, at: number): string | null {
  if (at + 16 > bytes.byteLength) return null;
  const field = bytes.subarray(at, at + 16);
  if (field.every((byte) => byte === 0)) return null;
  const hex = Array.from(field, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function uint16Le(bytes: Uint8Array, at: number): number {
  return at + 2 <= bytes.byteLength ? (bytes[at] as number) | ((bytes[at + 1] as number) << 8) : 0;
}
function uint16Be(bytes: Uint8Array, at: number): number {
  return at + 2 <= bytes.byteLength ? ((bytes[at] as number) << 8) | (bytes[at + 1] as number) : 0;
}
function uint32Le(bytes: Uint8Array, at: number): number {
  return at + 4 <= bytes.byteLength ? new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true) : 0;
}
function uint32Be(bytes: Uint8Array, at: number): number {
  return at + 4 <= bytes.byteLength ? new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, false) : 0;
}
/** 64-bit fields as numbers; beyond 2^53 they are no size any volume has, and the size comes out absurd rather than wrong by rounding. */
function uint64Le(bytes: Uint8Array, at: number): number {
  return uint32Le(bytes, at + 4) * 0x100000000 + uint32Le(bytes, at);
}
function uint64Be(bytes: Uint8Array, at: number): number {
  return uint32Be(bytes, at) * 0x100000000 + uint32Be(bytes, at + 4);
}
function hex64Le(bytes: Uint8Array, at: number): string {
  return (
    uint32Le(bytes, at + 4)
      .toString(16)
      .padStart(8, '0') + uint32Le(bytes, at).toString(16).padStart(8, '0')
  ).toUpperCase();
}
