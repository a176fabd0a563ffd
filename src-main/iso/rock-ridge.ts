// IEEE P1282 (RRIP 1.12, and 1.09 "RRIP_1991A"): POSIX attributes carried in SUSP entries: PX (4.1.1),
// PN (4.1.2), SL (4.1.3), NM (4.1.4), CL / PL / RE (4.1.5), TF (4.1.6), SF (4.1.7); and ZF, the zisofs
// extension (transparent compression) written by mkzftree and xorriso.
import type { SystemUseEntry } from './system-use.ts';
import { corruptAt, parseDirectoryRecordDate, parseVolumeDescriptorDate, readBothEndianUint32, readUint8, requireBytes } from './fields.ts';

export interface ZisofsHeader {
  /** "pz" is the only algorithm known (zlib). */
  readonly algorithm: string;
  readonly headerSizeBytes: number;
  readonly blockSizeLog2: number;
  readonly uncompressedSizeBytes: number;
}

export interface RockRidgeAttributes {
  /** NM: the POSIX name, continuation components joined; null when absent. */
  readonly name: string | null;
  /** PX: st_mode, nlink, uid, gid. */
  readonly mode: number | null;
  readonly linkCount: number | null;
  readonly uid: number | null;
  readonly gid: number | null;
  /** PN: device number (high, low). */
  readonly device: { readonly high: number; readonly low: number } | null;
  /** SL: the symbolic link target, components joined with "/". */
  readonly symlinkTarget: string | null;
  /** CL: this record stands for a directory relocated to this logical block. */
  readonly childLinkLba: number | null;
  /** PL: in a relocated directory's "..", the original parent's logical block. */
  readonly parentLinkLba: number | null;
  /** RE: this directory was relocated; it is shown where its CL points from, not here. */
  readonly relocated: boolean;
  /** TF: modification time in epoch ms. */
  readonly modifiedMs: number | null;
  /** SF: the sparse file's virtual size. */
  readonly sparseSizeBytes: number | null;
  readonly zisofs: ZisofsHeader | null;
}

/** NM and SL names are joined from pieces; a POSIX path never needs more. */
const maxJoinedBytes = 64 * 1024;

// RRIP names are bytes; UTF-8 is what every current tool writes (invalid sequences become U+FFFD).
const decoder = new TextDecoder('utf-8');

/** POSIX file type bits of st_mode. */
export const modeType = { mask: 0o170000, directory: 0o040000, regular: 0o100000, symlink: 0o120000 } as const;

export function parseRockRidge(entries: readonly SystemUseEntry[]): RockRidgeAttributes {
  let name: string | null = null;
  let nameDone = false;
  let mode: number | null = null;
  let linkCount: number | null = null;
  let uid: number | null = null;
  let gid: number | null = null;
  let device: RockRidgeAttributes['device'] = null;
  let symlink: string[] | null = null;
  let symlinkPieceOpen = false;
  let symlinkDone = false;
  let childLinkLba: number | null = null;
  let parentLinkLba: number | null = null;
  let relocated = false;
  let modifiedMs: number | null = null;
  let sparseSizeBytes: number | null = null;
  let zisofs: ZisofsHeader | null = null;

  for (const entry of entries) {
    const bytes = entry.bytes;
    const place = entry;
    switch (entry.signature) {
      case 'PX': {
        // RRIP 4.1.1: 36 bytes (1.10) or 44 bytes (1.12, with a serial number).
        mode = readBothEndianUint32(bytes, 4, place, 'PX file mode', { preferLittleEndian: true });
        linkCount = readBothEndianUint32(bytes, 12, place, 'PX links', { preferLittleEndian: true });
        uid = readBothEndianUint32(bytes, 20, place, 'PX user id', { preferLittleEndian: true });
        gid = readBothEndianUint32(bytes, 28, place, 'PX group id', { preferLittleEndian: true });
        break;
      }
      case 'PN': {
        device = {
          high: readBothEndianUint32(bytes, 4, place, 'PN device high', { preferLittleEndian: true }),
          low: readBothEndianUint32(bytes, 12, place, 'PN device low', { preferLittleEndian: true }),
        };
        break;
      }
      case 'NM': {
        // RRIP 4.1.4: flags (CONTINUE 1, CURRENT 2, PARENT 4), then name bytes; CONTINUE joins the next NM.
        if (nameDone) break;
        const flags = readUint8(bytes, 4, place, 'NM flags');
        const piece = flags & 0x02 ? '.' : flags & 0x04 ? '..' : decoder.decode(bytes.subarray(5));
        name = (name ?? '') + piece;
        if (name.length > maxJoinedBytes) throw corruptAt(place, 0, `NM name longer than ${maxJoinedBytes} characters`);
        if ((flags & 0x01) === 0) nameDone = true;
        break;
      }
      case 'SL': {
        // RRIP 4.1.3: flags (CONTINUE 1: the next SL continues this link), then component records:
        // flags (CONTINUE 1, CURRENT 2, PARENT 4, ROOT 8), length, content.
        if (symlinkDone) break;
        const flags = readUint8(bytes, 4, place, 'SL flags');
        symlink ??= [];
        let at = 5;
        while (at + 2 <= bytes.byteLength) {
          const componentFlags = bytes[at] as number;
          const length = bytes[at + 1] as number;
          requireBytes(bytes, at + 2, length, place, 'SL component');
          let text: string;
          if (componentFlags & 0x02) text = '.';
          else if (componentFlags & 0x04) text = '..';
          else if (componentFlags & 0x08) text = '';
          else text = decoder.decode(bytes.subarray(at + 2, at + 2 + length));
          if (symlinkPieceOpen && symlink.length > 0) symlink[symlink.length - 1] += text;
          else symlink.push(componentFlags & 0x08 ? '' : text);
          // ROOT: the link is absolute; a leading empty component makes the join start with "/".
          if (componentFlags & 0x08 && symlink.length === 1) symlink[0] = '';
          symlinkPieceOpen = (componentFlags & 0x01) !== 0;
          at += 2 + length;
        }
        if (symlink.join('/').length > maxJoinedBytes) throw corruptAt(place, 0, `SL target longer than ${maxJoinedBytes} characters`);
        if ((flags & 0x01) === 0) symlinkDone = true;
        break;
      }
      case 'CL':
        childLinkLba = readBothEndianUint32(bytes, 4, place, 'CL location', { preferLittleEndian: true });
        break;
      case 'PL':
        parentLinkLba = readBothEndianUint32(bytes, 4, place, 'PL location', { preferLittleEndian: true });
        break;
      case 'RE':
        relocated = true;
        break;
      case 'TF':
        modifiedMs = parseTimestampModification(entry) ?? modifiedMs;
        break;
      case 'SF': {
        // RRIP 1.12 4.1.7: virtual file size high then low 32 bits, both-endian.
        const high = readBothEndianUint32(bytes, 4, place, 'SF size high', { preferLittleEndian: true });
        const low = readBothEndianUint32(bytes, 12, place, 'SF size low', { preferLittleEndian: true });
        sparseSizeBytes = high * 2 ** 32 + low;
        break;
      }
      case 'ZF': {
        // zisofs: "pz", header size / 4, log2(block size), uncompressed size both-endian.
        requireBytes(bytes, 4, 12, place, 'ZF entry');
        zisofs = {
          algorithm: String.fromCharCode(bytes[4] as number, bytes[5] as number),
          headerSizeBytes: (bytes[6] as number) * 4,
          blockSizeLog2: bytes[7] as number,
          uncompressedSizeBytes: readBothEndianUint32(bytes, 8, place, 'ZF uncompressed size', { preferLittleEndian: true }),
        };
        break;
      }
      default:
        break;
    }
  }
  const symlinkTarget = symlink === null ? null : symlink.length === 1 && symlink[0] === '' ? '/' : symlink.join('/');
  return { name, mode, linkCount, uid, gid, device, symlinkTarget, childLinkLba, parentLinkLba, relocated, modifiedMs, sparseSizeBytes, zisofs };
}

/** RRIP 4.1.6: TF flags say which stamps follow, in order; bit 7 selects the 17-byte form. */
function parseTimestampModification(entry: SystemUseEntry): number | null {
  const flags = readUint8(entry.bytes, 4, entry, 'TF flags');
  const stampBytes = flags & 0x80 ? 17 : 7;
  // Order: creation (bit 0), modify (bit 1), access, attributes, backup, expiration, effective.
  if ((flags & 0x02) === 0) return null;
  const at = 5 + (flags & 0x01 ? stampBytes : 0);
  if (at + stampBytes > entry.bytes.byteLength) return null; // leniency: a short TF just lacks the time
  return stampBytes === 17 ? parseVolumeDescriptorDate(entry.bytes, at, entry) : parseDirectoryRecordDate(entry.bytes, at, entry);
}
