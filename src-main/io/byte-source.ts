// The ByteSource port: random access to the bytes of an image, a drive or a buffer. Parsers read only
// through it, so they never see a file handle and never read past the end silently.

export interface ByteSource {
  /** Total size in bytes. */
  readonly sizeBytes: number;
  /** A human name for messages (usually the path). */
  readonly name: string;
  /**
   * Exactly `lengthBytes` bytes starting at `offsetBytes`. A read that would cross the end fails with
   * a ByteRangeError instead of returning fewer bytes: a short read is never a silent success.
   * The bytes may be a view of a cache shared with other readers: never write into them.
   */
  read(offsetBytes: number, lengthBytes: number): Promise<Uint8Array>;
  /**
   * The same bytes as `read`, placed into all of `into` instead of a new buffer. Optional: the sources
   * bulk copies go through (files, composed layouts) have it, so a copy-files stick's bytes travel from
   * the image file straight into the flash's aligned slot, as a raw flash's do. Call it through
   * `readIntoBuffer`, which falls back to `read`.
   */
  readInto?(into: Uint8Array, offsetBytes: number): Promise<void>;
  close(): Promise<void>;
}

/** Fills all of `into` with the source's bytes from `offsetBytes`, without a second buffer where the source allows. */
export async function readIntoBuffer(source: ByteSource, into: Uint8Array, offsetBytes: number): Promise<void> {
  if (source.readInto) return source.readInto(into, offsetBytes);
  into.set(await source.read(offsetBytes, into.byteLength));
}

/** A read asked for bytes the source does not have. Parsers turn it into a `corrupt-image` error. */
export class ByteRangeError extends Error {
  readonly sourceName: string;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  readonly sizeBytes: number;

  constructor(sourceName: string, offsetBytes: number, lengthBytes: number, sizeBytes: number) {
    super(`read of ${lengthBytes} bytes at offset ${offsetBytes} is outside ${sourceName} (size ${sizeBytes} bytes)`);
    this.name = 'ByteRangeError';
    this.sourceName = sourceName;
    this.offsetBytes = offsetBytes;
    this.lengthBytes = lengthBytes;
    this.sizeBytes = sizeBytes;
  }
}

/** Throws ByteRangeError unless [offset, offset + length) lies inside [0, size). */
export function assertReadInBounds(sourceName: string, sizeBytes: number, offsetBytes: number, lengthBytes: number): void {
  const valid =
    Number.isSafeInteger(offsetBytes) && Number.isSafeInteger(lengthBytes) && offsetBytes >= 0 && lengthBytes >= 0 && offsetBytes + lengthBytes <= sizeBytes;
  if (!valid) throw new ByteRangeError(sourceName, offsetBytes, lengthBytes, sizeBytes);
}
