// The per-block digests of an image whose decoded size a compressed stream need not say in advance.

/** Bytes addressed by offset that grow as needed (the per-block digests of an image of unknown size). */
export class GrowableBytes {
  private bytes = new Uint8Array(64 * 1024);
  set(offset: number, values: Uint8Array): void {
    if (offset + values.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, offset + values.length));
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(values, offset);
  }
  /** False when `values` differ from the bytes at `offset`, or reach past what was ever set. */
  equals(offset: number, values: Uint8Array): boolean {
    if (offset + values.length > this.bytes.length) return false;
    for (let index = 0; index < values.length; index += 1) if (this.bytes[offset + index] !== values[index]) return false;
    return true;
  }
}
