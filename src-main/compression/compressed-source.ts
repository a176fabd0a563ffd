// A compressed image's decoded bytes with random access, where the format allows it without decoding
// the whole file: xz blocks through the xz index, zstd frames that record their sizes (or a seek
// table), a zip entry stored uncompressed. Otherwise `source` is null and the image needs decoding
// into a cache file first (container/decoded-cache.ts); `info` still says what the format records.
import type { CompressionInfo, ImageCompression } from '../../shared/image.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import { openFileSource, type FileSource } from '../io/file-source.ts';
import { sliceSource } from '../io/slice-source.ts';
import { throwIfCancelled } from '../jobs/errors.ts';

export interface CompressedSource {
  readonly info: CompressionInfo;
  /** The decoded bytes (info.access 'random-access'), or null ('needs-decoding'). */
  readonly source: ByteSource | null;
  /** Why `source` is null, in words for the message of a NeedsDecodingError; null when it is not. */
  readonly refusal: string | null;
  /** Closes the compressed file (and `source`). */
  close(): Promise<void>;
}

export interface CompressedSourceOptions {
  readonly signal?: AbortSignal;
}

/** What a format's reader found: the decoded bytes, or why there are none, and the sizes it records. */
interface Opened {
  readonly source: ByteSource | null;
  readonly refusal: string | null;
  readonly decodedSizeBytes: number | null;
  readonly entryName?: string;
}

export async function openCompressedSource(path: string, kind: ImageCompression, options: CompressedSourceOptions = {}): Promise<CompressedSource> {
  const file = await openFileSource(path);
  try {
    throwIfCancelled(options.signal, `opening ${path}`);
    const opened = await openByKind(path, kind, file);
    const info: CompressionInfo = {
      kind,
      compressedSizeBytes: file.sizeBytes,
      decodedSizeBytes: opened.decodedSizeBytes,
      access: opened.source === null ? 'needs-decoding' : 'random-access',
      ...(opened.entryName === undefined ? {} : { entryName: opened.entryName }),
    };
    const close = async (): Promise<void> => {
      await opened.source?.close();
      await file.close();
    };
    return { info, source: opened.source, refusal: opened.refusal, close };
  } catch (error) {
    await file.close();
    throw error;
  }
}

async function openByKind(path: string, kind: ImageCompression, file: FileSource): Promise<Opened> {
  switch (kind) {
    case 'xz':
      return openXz(file);
    case 'zstd':
      return openZstd(file);
    case 'zip':
      return openZip(path, file);
    case 'gzip':
      // RFC 1952 2.3.1: ISIZE is the size modulo 2^32, and only of the last member: a hint, never a size.
      return { source: null, refusal: 'gzip has no index to start decoding anywhere but at its beginning', decodedSizeBytes: null };
    case 'bzip2':
      return { source: null, refusal: 'bzip2 records neither its blocks nor its decoded size', decodedSizeBytes: null };
  }
}

async function openXz(file: FileSource): Promise<Opened> {
  const { readXzIndex } = await import('./xz-index.ts');
  const { createXzBlockSource, xzRandomAccessRefusal } = await import('./xz-block-source.ts');
  const index = await readXzIndex(file);
  const refusal = xzRandomAccessRefusal(index);
  const source = refusal === null && index.blocks !== null ? createXzBlockSource(file, index.blocks) : null;
  return { source, refusal, decodedSizeBytes: index.decodedSizeBytes };
}

async function openZstd(file: FileSource): Promise<Opened> {
  const { readZstdLayout } = await import('./zstd-frames.ts');
  const { createZstdFrameSource } = await import('./zstd-frame-source.ts');
  const layout = await readZstdLayout(file);
  const source = layout.frames === null ? null : createZstdFrameSource(file, layout.frames);
  return { source, refusal: layout.refusal, decodedSizeBytes: layout.decodedSizeBytes };
}

async function openZip(path: string, file: FileSource): Promise<Opened> {
  const { findZipImageEntry } = await import('./zip-entry.ts');
  const entry = await findZipImageEntry(path, file);
  const base = { decodedSizeBytes: entry.decodedSizeBytes, entryName: entry.entryName };
  if (entry.method !== 0) return { ...base, source: null, refusal: `the zip entry ${entry.entryName} is compressed (method ${entry.method}), not stored` };
  // APPNOTE 4.4.5: a stored entry's data is its bytes as they are.
  if (entry.compressedSizeBytes !== entry.decodedSizeBytes) {
    throw new CorruptImageError(
      `${path}: the stored zip entry ${entry.entryName} records ${entry.compressedSizeBytes} bytes of data but ${entry.decodedSizeBytes} decoded bytes`,
      { file: path, offsetBytes: entry.dataOffsetBytes },
    );
  }
  return { ...base, source: sliceSource(file, entry.dataOffsetBytes, entry.decodedSizeBytes, `${path}:${entry.entryName}`), refusal: null };
}
