// Bounds-checked access for the system-area and boot parsers: every read names the structure it is
// for, and a read past the end becomes a CorruptImageError naming the sector and byte offset.
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';

/** Where a structure lies, for messages: its byte offset in the image and the sector unit to name. */
export interface Place {
  readonly offsetBytes: number;
  /** 512 for MBR/GPT/FAT-in-partition structures, 2048 for ISO 9660 and El Torito ones. */
  readonly sectorBytes: number;
}

export function corruptAt(place: Place, at: number, message: string): CorruptImageError {
  const offsetBytes = place.offsetBytes + at;
  const sectorLba = Math.floor(offsetBytes / place.sectorBytes);
  return new CorruptImageError(`${message} (${place.sectorBytes}-byte sector ${sectorLba}, offset ${offsetBytes})`, {
    sectorLba,
    sectorBytes: place.sectorBytes,
    offsetBytes,
  });
}

/** Reads `lengthBytes` at `place`; a read outside the image is a CorruptImageError naming `what`. */
export async function readRegion(source: ByteSource, place: Place, lengthBytes: number, what: string): Promise<Uint8Array> {
  try {
    return await source.read(place.offsetBytes, lengthBytes);
  } catch (error) {
    if (error instanceof ByteRangeError) {
      throw corruptAt(place, 0, `${what} (${lengthBytes} bytes) lies outside the image of ${source.sizeBytes} bytes`);
    }
    throw error;
  }
}

/** A bounds-checked little/big-endian field reader over one structure's bytes. */
export class FieldReader {
  readonly bytes: Uint8Array;
  readonly place: Place;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, place: Place) {
    this.bytes = bytes;
    this.place = place;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private require(at: number, length: number, what: string): void {
    if (!Number.isSafeInteger(at) || at < 0 || at + length > this.bytes.byteLength) {
      throw corruptAt(this.place, at, `${what} needs ${length} bytes at ${at} of a ${this.bytes.byteLength}-byte structure`);
    }
  }

  uint8(at: number, what: string): number {
    this.require(at, 1, what);
    return this.view.getUint8(at);
  }

  uint16Le(at: number, what: string): number {
    this.require(at, 2, what);
    return this.view.getUint16(at, true);
  }

  uint16Be(at: number, what: string): number {
    this.require(at, 2, what);
    return this.view.getUint16(at, false);
  }

  uint32Le(at: number, what: string): number {
    this.require(at, 4, what);
    return this.view.getUint32(at, true);
  }

  uint32Be(at: number, what: string): number {
    this.require(at, 4, what);
    return this.view.getUint32(at, false);
  }

  /** A 64-bit little-endian number; fails above 2^53 (no image Isotope reads is that large). */
  uint64Le(at: number, what: string): number {
    this.require(at, 8, what);
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corruptAt(this.place, at, `${what} is ${value}, beyond any image size`);
    return Number(value);
  }

  /** 64 bits as 16 hex digits (attribute fields, where every bit matters). */
  hex64Le(at: number, what: string): string {
    this.require(at, 8, what);
    return this.view.getBigUint64(at, true).toString(16).padStart(16, '0');
  }

  slice(at: number, length: number, what: string): Uint8Array {
    this.require(at, length, what);
    return this.bytes.subarray(at, at + length);
  }

  /** Single-byte characters, cut at the first NUL; non-printable bytes shown as U+FFFD. */
  ascii(at: number, length: number, what: string): string {
    const bytes = this.slice(at, length, what);
    let text = '';
    for (const byte of bytes) {
      if (byte === 0) break;
      text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '\uFFFD';
    }
    return text;
  }
}
