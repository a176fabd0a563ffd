// Where a response body's bytes are received: straight into the memory the sink hands out, so a
// download's bytes are read from the socket into the very buffers that are hashed and written, with
// no copy and no buffer allocated per read (the bench: Node's 'data' events, 64 KiB each, cost more
// than the whole of curl's receive; reading 1 MiB at a time into fixed memory costs less).

export interface BodySink {
  /** Where the next body bytes go: a view that is never empty. Asked before every read from the socket. */
  space(): Uint8Array;
  /**
   * `byteCount` body bytes were put at the start of the view space() returned last. Never throws.
   * Returns undefined to go on reading, or a promise: reading stops until it settles, and its
   * rejection (the disk full, a failed write) ends the body with that error.
   */
  wrote(byteCount: number): Promise<void> | undefined;
}
