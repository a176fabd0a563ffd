// A compressed image that cannot be read at random (gzip, bzip2, a single-block xz, one big zstd frame,
// a deflated zip entry) and has no decoded cache file yet: nothing inside can be read until a decode
// (`image:decode`, `isotope` decodes first) has built the cache.
import type { CompressionInfo } from '../../shared/image.ts';
import { CodedError } from '../jobs/errors.ts';

export class NeedsDecodingError extends CodedError {
  readonly path: string;
  readonly compression: CompressionInfo;
  constructor(path: string, compression: CompressionInfo, why: string) {
    const decoded = compression.decodedSizeBytes === null ? 'an unrecorded size' : `${compression.decodedSizeBytes} bytes`;
    super(
      'needs-decoding',
      `${path}: this ${compression.kind} image (${compression.compressedSizeBytes} bytes, ${decoded} decoded) must be decoded once before it can be read: ${why}`,
      { path, compressedSizeBytes: compression.compressedSizeBytes, decodedSizeBytes: compression.decodedSizeBytes },
    );
    this.name = 'NeedsDecodingError';
    this.path = path;
    this.compression = compression;
  }
}
