// Decoded cache files: a compressed image that cannot be read at random is decoded once into
// <data dir>/decoded/, named by the compressed file's identity, and read from there afterwards.
import type { DecodedCacheEntry } from '../../shared/image.ts';
import { CodedError } from '../jobs/errors.ts';

export interface DecodeProgress {
  readonly compressedBytesRead: number;
  readonly compressedSizeBytes: number;
  readonly decodedBytes: number;
}

export interface DecodeOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DecodeProgress) => void;
}

export async function findDecodedCache(path: string): Promise<DecodedCacheEntry | null> {
  void path;
  return null;
}

export async function decodeToCache(path: string, options: DecodeOptions = {}): Promise<DecodedCacheEntry> {
  void options;
  throw new CodedError('unsupported', `decoding ${path} is not built yet`);
}

export async function listDecodedCaches(): Promise<DecodedCacheEntry[]> {
  return [];
}

export async function clearDecodedCaches(cachePaths?: readonly string[]): Promise<{ removedBytes: number; kept: { cachePath: string; reason: string }[] }> {
  void cachePaths;
  return { removedBytes: 0, kept: [] };
}

/** Records that `entry` was read now (Settings shows when each cache file was last used). */
export async function touchDecodedCache(entry: DecodedCacheEntry): Promise<void> {
  void entry;
}
