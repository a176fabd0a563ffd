// IEEE P1282 (RRIP 1.12, and 1.09 "RRIP_1991A"): POSIX attributes carried in SUSP entries: PX (4.1.1),
// PN (4.1.2), SL (4.1.3), NM (4.1.4), CL / PL / RE (4.1.5), TF (4.1.6), SF (4.1.7); and ZF, the zisofs
// extension (transparent compression) written by mkzftree and xorriso.
import type { Place } from '../format/fields.ts';
import { corruptAt, parseDirectoryRecordDate, parseVolumeDescriptorDate, readBothEndianUint32, readUtf8 } from '../format/fields.ts';
import { signatureCode, type SystemUseVisitor } from './system-use.ts';
import type { ZisofsHeader } from '../format/file-tree.ts';

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

/** POSIX file type bits of st_mode. */
export const modeType = { mask: 0o170000, directory: 0o040000, regular: 0o100000, symlink: 0o120000 } as const;

const signatures = {
  PX: signatureCode('PX'),
  PN: signatureCode('PN'),
  NM: signatureCode('NM'),
  SL: signatureCode('SL'),
  CL: signatureCode('CL'),
  PL: signatureCode('PL'),
  RE: signatureCode('RE'),
  TF: signatureCode('TF'),
  SF: signatureCode('SF'),
  ZF: signatureCode('ZF'),
  Z2: signatureCode('Z2'),
} as const;

// Leniency for RRIP numbers: the little-endian half wins, as in Linux and pycdlib.
const lenient = { preferLittleEndian: true } as const;

/**
 * Collects the RRIP attributes of one record from its system use entries, fed in order by
 * `visitSystemUseArea` (the record's own field, then each continuation area). Entries are read in
 * place: no object per entry, which is most of what listing a large tree would otherwise allocate.
 */
export class RockRidgeReader implements SystemUseVisitor, RockRidgeAttributes {
  mode: number | null = null;
  linkCount: number | null = null;
  uid: number | null = null;
  gid: number | null = null;
  device: RockRidgeAttributes['device'] = null;
  childLinkLba: number | null = null;
  parentLinkLba: number | null = null;
  relocated = false;
  modifiedMs: number | null = null;
  sparseSizeBytes: number | null = null;
  zisofs: ZisofsHeader | null = null;
  /** NM: the name's complete pieces, decoded. */
  private nameText: string | null = null;
  /** NM pieces with CONTINUE set, kept as bytes until the last piece (see PendingBytes). */
  private readonly namePending = new PendingBytes();
  private nameDone = false;
  private symlink: string[] | null = null;
  /** The joined target's length so far, kept as pieces arrive: re-joining after each SL is quadratic. */
  private symlinkLength = 0;
  /** SL component pieces with CONTINUE set, kept as bytes until the component's last piece. */
  private readonly symlinkPending = new PendingBytes();
  private symlinkDone = false;

  /** Forgets everything visited: one reader serves every record of a directory. */
  reset(): void {
    this.nameText = null;
    this.namePending.clear();
    this.mode = null;
    this.linkCount = null;
    this.uid = null;
    this.gid = null;
    this.device = null;
    this.childLinkLba = null;
    this.parentLinkLba = null;
    this.relocated = false;
    this.modifiedMs = null;
    this.sparseSizeBytes = null;
    this.zisofs = null;
    this.nameDone = false;
    this.symlink = null;
    this.symlinkLength = 0;
    this.symlinkPending.clear();
    this.symlinkDone = false;
  }

  /** NM: the POSIX name, continuation pieces joined; null when absent. */
  get name(): string | null {
    // Leniency: a last NM that still says CONTINUE ends the name with what it holds.
    if (this.namePending.byteLength > 0) return (this.nameText ?? '') + this.namePending.peekText();
    return this.nameText;
  }

  /** SL: the symbolic link target, components joined with "/"; null when absent. */
  get symlinkTarget(): string | null {
    let symlink = this.symlink;
    if (symlink === null) return null;
    // Leniency: a last component piece that still says CONTINUE ends the target with what it holds.
    if (this.symlinkPending.byteLength > 0) symlink = [...symlink, this.symlinkPending.peekText()];
    return symlink.length === 1 && symlink[0] === '' ? '/' : symlink.join('/');
  }

  visitEntry(bytes: Uint8Array, at: number, length: number, signature: number, place: Place): void {
    switch (signature) {
      case signatures.PX:
        // RRIP 4.1.1: 36 bytes (1.10) or 44 bytes (1.12, with a serial number).
        this.mode = entryUint32(bytes, at, length, 4, place, 'PX file mode');
        this.linkCount = entryUint32(bytes, at, length, 12, place, 'PX links');
        this.uid = entryUint32(bytes, at, length, 20, place, 'PX user id');
        this.gid = entryUint32(bytes, at, length, 28, place, 'PX group id');
        break;
      case signatures.PN:
        this.device = { high: entryUint32(bytes, at, length, 4, place, 'PN device high'), low: entryUint32(bytes, at, length, 12, place, 'PN device low') };
        break;
      case signatures.NM: {
        // RRIP 4.1.4: flags (CONTINUE 1, CURRENT 2, PARENT 4), then name bytes; CONTINUE joins the next NM.
        if (this.nameDone) break;
        requireField(at, length, 4, 1, place, 'NM flags');
        const flags = bytes[at + 4] as number;
        // RRIP names are bytes; UTF-8 is what every current tool writes (invalid sequences become U+FFFD).
        // Pieces join as bytes: xorriso cuts a long name between the bytes of one character.
        const dots = flags & 0x02 ? '.' : flags & 0x04 ? '..' : null;
        const continues = (flags & 0x01) !== 0;
        if (continues || this.namePending.byteLength > 0) {
          this.namePending.add(bytes, at + 5, at + length, dots);
          if (this.namePending.byteLength + (this.nameText?.length ?? 0) > maxJoinedBytes) {
            throw corruptAt(place, at, `NM name longer than ${maxJoinedBytes} characters`);
          }
          if (!continues) this.nameText = (this.nameText ?? '') + this.namePending.takeText();
        } else {
          const piece = dots ?? readUtf8(bytes, at + 5, at + length);
          this.nameText = this.nameText === null ? piece : this.nameText + piece;
          if (this.nameText.length > maxJoinedBytes) throw corruptAt(place, at, `NM name longer than ${maxJoinedBytes} characters`);
        }
        if (!continues) this.nameDone = true;
        break;
      }
      case signatures.SL:
        this.readSymlinkEntry(bytes, at, length, place);
        break;
      case signatures.CL:
        this.childLinkLba = entryUint32(bytes, at, length, 4, place, 'CL location');
        break;
      case signatures.PL:
        this.parentLinkLba = entryUint32(bytes, at, length, 4, place, 'PL location');
        break;
      case signatures.RE:
        this.relocated = true;
        break;
      case signatures.TF:
        this.modifiedMs = readModificationTime(bytes, at, length, place) ?? this.modifiedMs;
        break;
      case signatures.SF: {
        // RRIP 1.12 4.1.7: virtual file size high then low 32 bits, both-endian.
        const high = entryUint32(bytes, at, length, 4, place, 'SF size high');
        const low = entryUint32(bytes, at, length, 12, place, 'SF size low');
        this.sparseSizeBytes = high * 2 ** 32 + low;
        break;
      }
      case signatures.ZF:
      case signatures.Z2:
        this.zisofs = readZisofsEntry(bytes, at, length, place);
        break;
      default:
        break;
    }
  }

  /**
   * RRIP 4.1.3: flags (CONTINUE 1: the next SL continues this link), then component records: flags
   * (CONTINUE 1, CURRENT 2, PARENT 4, ROOT 8), length, content.
   */
  private readSymlinkEntry(bytes: Uint8Array, at: number, length: number, place: Place): void {
    if (this.symlinkDone) return;
    requireField(at, length, 4, 1, place, 'SL flags');
    const flags = bytes[at + 4] as number;
    const symlink = (this.symlink ??= []);
    const end = at + length;
    let component = at + 5;
    while (component + 2 <= end) {
      const componentFlags = bytes[component] as number;
      const componentBytes = bytes[component + 1] as number;
      requireField(at, length, component + 2 - at, componentBytes, place, 'SL component');
      const contentStart = component + 2;
      component = contentStart + componentBytes;
      const fixedText = componentFlags & 0x02 ? '.' : componentFlags & 0x04 ? '..' : componentFlags & 0x08 ? '' : null;
      if (componentFlags & 0x01) {
        // CONTINUE: the component goes on in the next record (maybe the next SL), possibly mid-character.
        this.symlinkPending.add(bytes, contentStart, component, fixedText);
        if (this.symlinkLength + this.symlinkPending.byteLength > maxJoinedBytes)
          throw corruptAt(place, at, `SL target longer than ${maxJoinedBytes} characters`);
        continue;
      }
      let text: string;
      if (this.symlinkPending.byteLength > 0) {
        this.symlinkPending.add(bytes, contentStart, component, fixedText);
        text = this.symlinkPending.takeText();
      } else text = fixedText ?? readUtf8(bytes, contentStart, component);
      // A component adds its text and, after the first, a "/" to the joined target. ROOT is a leading
      // empty component, so the join starts with "/".
      symlink.push(text);
      this.symlinkLength += (symlink.length > 1 ? 1 : 0) + text.length;
      if (this.symlinkLength > maxJoinedBytes) throw corruptAt(place, at, `SL target longer than ${maxJoinedBytes} characters`);
    }
    if ((flags & 0x01) === 0) this.symlinkDone = true;
  }

  /** A copy of the attributes visited so far (the reader itself changes with the next record). */
  snapshot(): RockRidgeAttributes {
    return {
      name: this.name,
      mode: this.mode,
      linkCount: this.linkCount,
      uid: this.uid,
      gid: this.gid,
      device: this.device,
      symlinkTarget: this.symlinkTarget,
      childLinkLba: this.childLinkLba,
      parentLinkLba: this.parentLinkLba,
      relocated: this.relocated,
      modifiedMs: this.modifiedMs,
      sparseSizeBytes: this.sparseSizeBytes,
      zisofs: this.zisofs,
    };
  }
}

/**
 * Pieces of one NM name or SL component kept as bytes until the last piece arrives, then decoded
 * once: a writer may cut between the bytes of one UTF-8 character (xorriso does), which decoded
 * piece by piece would read as two U+FFFD.
 */
class PendingBytes {
  private chunks: Uint8Array[] = [];
  byteLength = 0;

  /** bytes[start, end), or `text` (a CURRENT or PARENT flag's '.' / '..') in its place. */
  add(bytes: Uint8Array, start: number, end: number, text: string | null): void {
    const chunk = text === null ? bytes.slice(start, end) : Buffer.from(text, 'latin1');
    this.chunks.push(chunk);
    this.byteLength += chunk.byteLength;
  }

  peekText(): string {
    const joined = Buffer.concat(this.chunks, this.byteLength);
    return readUtf8(joined, 0, joined.byteLength);
  }

  takeText(): string {
    const text = this.peekText();
    this.clear();
    return text;
  }

  clear(): void {
    if (this.byteLength === 0 && this.chunks.length === 0) return;
    this.chunks = [];
    this.byteLength = 0;
  }
}

/** Fails unless the entry bytes[at, at + length) holds `fieldBytes` bytes at `fieldAt`: no field reads past its entry. */
function requireField(at: number, length: number, fieldAt: number, fieldBytes: number, place: Place, what: string): void {
  if (fieldAt + fieldBytes > length) throw fieldPastEntry(at, length, fieldAt, fieldBytes, place, what);
}

function fieldPastEntry(at: number, length: number, fieldAt: number, fieldBytes: number, place: Place, what: string): Error {
  return corruptAt(place, at + fieldAt, `${what} needs ${fieldBytes} bytes at ${fieldAt}, ${Math.max(0, length - fieldAt)} remain`);
}

/** A both-endian 32-bit field at `fieldAt` inside the entry (RRIP numbers, ECMA-119 7.3.3). */
function entryUint32(bytes: Uint8Array, at: number, length: number, fieldAt: number, place: Place, what: string): number {
  requireField(at, length, fieldAt, 8, place, what);
  return readBothEndianUint32(bytes, at + fieldAt, place, what, lenient);
}

/**
 * ZF (zisofs2_format.txt): algorithm, header size / 4, log2(block size), uncompressed size. Version 1
 * ("pz") records the size both-endian in 32 bits; version 2 (also under the signature Z2, which old
 * Linux kernels ignore) records it as a 64-bit little-endian number.
 */
function readZisofsEntry(bytes: Uint8Array, at: number, length: number, place: Place): ZisofsHeader {
  requireField(at, length, 4, 12, place, 'ZF entry');
  const version = bytes[at + 3] as number;
  const fields = {
    algorithm: String.fromCharCode(bytes[at + 4] as number, bytes[at + 5] as number),
    headerSizeBytes: (bytes[at + 6] as number) * 4,
    blockSizeLog2: bytes[at + 7] as number,
  };
  if (version !== 2) return { version: 1, ...fields, uncompressedSizeBytes: entryUint32(bytes, at, length, 8, place, 'ZF uncompressed size') };
  const view = new DataView(bytes.buffer, bytes.byteOffset + at + 8, 8);
  const uncompressedSizeBytes = view.getBigUint64(0, true);
  if (uncompressedSizeBytes > BigInt(Number.MAX_SAFE_INTEGER))
    throw corruptAt(place, at + 8, `ZF uncompressed size ${uncompressedSizeBytes} is beyond any file Isotope can read`);
  return { version: 2, ...fields, uncompressedSizeBytes: Number(uncompressedSizeBytes) };
}

/** RRIP 4.1.6: TF flags say which stamps follow, in order; bit 7 selects the 17-byte form. */
function readModificationTime(bytes: Uint8Array, at: number, length: number, place: Place): number | null {
  requireField(at, length, 4, 1, place, 'TF flags');
  const flags = bytes[at + 4] as number;
  const stampBytes = flags & 0x80 ? 17 : 7;
  // Order: creation (bit 0), modify (bit 1), access, attributes, backup, expiration, effective.
  if ((flags & 0x02) === 0) return null;
  const stampAt = 5 + (flags & 0x01 ? stampBytes : 0);
  if (stampAt + stampBytes > length) return null; // leniency: a short TF just lacks the time
  return stampBytes === 17 ? parseVolumeDescriptorDate(bytes, at + stampAt, place) : parseDirectoryRecordDate(bytes, at + stampAt, place);
}

/**
 * RRIP 4.1.2: a PN entry's device number. libisofs (xorriso) and libarchive record a Linux dev_t split
 * into high and low words (glibc's makedev: the major in bits 8-19 and 32-43, the minor in bits 0-7
 * and 20-31); mkisofs records the major high and the minor low. A high word of 0 is read as a dev_t
 * (every common device, from either tool), any other as mkisofs's pair.
 */
export function deviceNumbers(device: { readonly high: number; readonly low: number }): { major: number; minor: number } {
  const { high, low } = device;
  if (high !== 0) return { major: high, minor: low };
  return { major: (low >>> 8) & 0xfff, minor: ((low & 0xff) | ((low >>> 12) & 0xfff00)) >>> 0 };
}
