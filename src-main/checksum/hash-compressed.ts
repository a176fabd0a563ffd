// One read of a compressed image that gives two sets of digests: the compressed file's (its bytes as
// stored) and its decoded content's, because publishers give one or the other (issue 16). Each chunk
// read from the file goes to the file's hashes and on to the format's stream decoder (compression/);
// what comes out goes to the content's hashes. The file is read once, start to end, and memory stays
// bounded by the decoders' output pieces (1 MiB): nothing holds a whole file.
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline, Readable, type Duplex } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import type { HashAlgorithm, HashDigests } from '../../shared/checksum.ts';
import type { ImageCompression } from '../../shared/image.ts';
import { detectCompression, compressionMagicBytes } from '../compression/detect-compression.ts';
import type { ZipImageEntry } from '../compression/zip-entry.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import { openFileSource } from '../io/file-source.ts';
import { CancelledError, throwIfCancelled } from '../jobs/errors.ts';
import { createHashGroup, type HashGroup } from './hash-group.ts';
import { defaultChunkBytes, PassMeter, type PassProgress } from './hash-pass.ts';

export interface CompressedPassOptions {
  readonly algorithms: readonly HashAlgorithm[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PassProgress) => void;
  readonly progressIntervalMs?: number;
  readonly chunkBytes?: number;
}

export interface CompressedPassResult {
  /** Bytes of the compressed file read (and hashed). */
  readonly sizeBytes: number;
  /** The compressed file's digests. */
  readonly digests: HashDigests;
  /** The decoded content's digests. */
  readonly contentDigests: HashDigests;
  readonly decodedSizeBytes: number;
  /** For a .zip: the entry decoded as the image (compression/zip-entry.ts picks it); null otherwise. */
  readonly entryName: string | null;
}

/** Decoded pieces of at most this size (the xz decoder's output buffer). */
const decodedPieceBytes = 1024 * 1024;

/** A compressed image as its checksums see it: the compression, and what its content is called. */
export interface CompressedFile {
  readonly compression: ImageCompression;
  /** The name a sums file gives the decoded content (foo.img for foo.img.xz, the entry's name for a .zip); null when unknown. */
  readonly contentName: string | null;
}

/** The file name suffixes each compression is published with (the content's name is the name without it). */
const compressionSuffixes: Readonly<Record<Exclude<ImageCompression, 'zip'>, readonly string[]>> = {
  xz: ['.xz'],
  gzip: ['.gz', '.gzip'],
  zstd: ['.zst', '.zstd'],
  bzip2: ['.bz2', '.bzip2'],
};

/** The file at `path` when it is compressed (by its magic bytes, never its name); null for anything else. */
export async function describeCompressedFile(path: string): Promise<CompressedFile | null> {
  const compression = await detectFileCompression(path);
  if (compression === null) return null;
  if (compression === 'zip') return { compression, contentName: baseNameOf((await readZipEntry(path)).entryName) };
  const name = basename(path);
  const suffix = compressionSuffixes[compression].find((candidate) => name.toLowerCase().endsWith(candidate));
  // A renamed file (foo.img.xz saved as foo.bin) has no suffix to take off: its content has no name.
  return { compression, contentName: suffix !== undefined && name.length > suffix.length ? name.slice(0, -suffix.length) : null };
}

/** APPNOTE 4.4.17: zip entry names separate folders with '/'. */
function baseNameOf(entryName: string): string {
  return entryName.slice(entryName.lastIndexOf('/') + 1);
}

/** The compression of the file at `path` from its magic bytes (never its name); null for anything else. */
export async function detectFileCompression(path: string): Promise<ImageCompression | null> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(compressionMagicBytes);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return detectCompression(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * Hashes the compressed file at `path` and its decoded content in one read. Damaged compressed data
 * (a truncated .xz, a bad gzip CRC, a zip entry shorter than its recorded size) is a
 * CorruptImageError naming the decoded offset: a content digest is never given for bytes that did
 * not decode.
 */
export async function hashCompressedFile(path: string, compression: ImageCompression, options: CompressedPassOptions): Promise<CompressedPassResult> {
  const algorithms = [...new Set(options.algorithms)];
  if (algorithms.length === 0) throw new Error('hashCompressedFile needs at least one algorithm');
  const zipEntry = compression === 'zip' ? await readZipEntry(path) : null;
  const handle = await open(path, 'r');
  try {
    const meter = new PassMeter((await handle.stat()).size, options.onProgress, options.progressIntervalMs);
    const reader = new HashingReader(handle, createHashGroup(algorithms), meter, options.chunkBytes ?? defaultChunkBytes, options.signal, path);
    const content = createHashGroup(algorithms);
    let decodedSizeBytes = 0;
    try {
      for await (const piece of decodedPieces(compression, reader, path, zipEntry)) {
        content.update(piece);
        decodedSizeBytes += piece.length;
      }
    } catch (error) {
      throw asDamage(error, path, compression, decodedSizeBytes);
    }
    // yauzl checks this for its own streams (validateEntrySizes); the pass inflates the entry itself.
    if (zipEntry && decodedSizeBytes !== zipEntry.decodedSizeBytes) {
      throw new CorruptImageError(
        `${path}: the zip entry ${zipEntry.entryName} decodes to ${decodedSizeBytes} bytes; its header records ${zipEntry.decodedSizeBytes}`,
        {
          file: path,
          decodedOffsetBytes: decodedSizeBytes,
        },
      );
    }
    // Bytes after the end of the compressed stream (padding, a signature block) are the file's too.
    const digests = await reader.finish();
    meter.finish();
    return { sizeBytes: reader.offsetBytes, digests, contentDigests: content.digest(), decodedSizeBytes, entryName: zipEntry?.entryName ?? null };
  } finally {
    await handle.close();
  }
}

/**
 * Reads the file in order, each byte once, and hashes every chunk before handing it on. Reads are
 * serialised: a decoder's stream may still be reading ahead when the pass finishes the file.
 */
class HashingReader {
  #offsetBytes = 0;
  #ended = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly handle: FileHandle,
    private readonly group: HashGroup,
    private readonly meter: PassMeter,
    private readonly chunkBytes: number,
    private readonly signal: AbortSignal | undefined,
    private readonly path: string,
  ) {}

  get offsetBytes(): number {
    return this.#offsetBytes;
  }

  /** The next chunk of the file and where it starts, hashed; null at the end. */
  next(): Promise<{ readonly bytes: Buffer; readonly offsetBytes: number } | null> {
    const read = this.#queue.then(() => this.readChunk());
    this.#queue = read.catch(() => undefined);
    return read;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) yield chunk.bytes;
  }

  /** Reads and hashes the rest of the file, then gives the file's digests. */
  async finish(): Promise<HashDigests> {
    while ((await this.next()) !== null);
    return this.group.digest();
  }

  private async readChunk(): Promise<{ readonly bytes: Buffer; readonly offsetBytes: number } | null> {
    if (this.#ended) return null;
    throwIfCancelled(this.signal, `hashing ${this.path}`);
    // A fresh buffer per chunk: a decoder may keep a chunk it was given until it has used it all.
    const buffer = Buffer.allocUnsafe(this.chunkBytes);
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.#offsetBytes);
    if (bytesRead === 0) {
      this.#ended = true;
      return null;
    }
    const bytes = buffer.subarray(0, bytesRead);
    const offsetBytes = this.#offsetBytes;
    this.group.update(bytes);
    this.#offsetBytes += bytesRead;
    this.meter.advance(bytesRead);
    return { bytes, offsetBytes };
  }
}

async function* decodedPieces(compression: ImageCompression, reader: HashingReader, path: string, zipEntry: ZipImageEntry | null): AsyncGenerator<Uint8Array> {
  const { createDecoder, decodeZstd } = await import('../compression/decoders.ts');
  switch (compression) {
    case 'gzip':
    case 'bzip2':
      yield* through(Readable.from(reader.chunks()), createDecoder(compression));
      return;
    case 'zstd':
      yield* decodeZstd(reader.chunks());
      return;
    case 'xz':
      yield* xzPieces(reader, path);
      return;
    case 'zip':
      if (!zipEntry) throw new Error('a zip pass without its entry');
      yield* zipEntryPieces(reader, zipEntry, path);
  }
}

/** `input` through `decoder`: pipeline() destroys both with the first error, which reaches the loop over the output. */
function through(input: Readable, decoder: Duplex): AsyncIterable<Uint8Array> {
  pipeline(input, decoder, () => undefined);
  return decoder;
}

/** liblzma through compression/xz-stream.ts, fed the chunks this pass read instead of reading the file again. */
async function* xzPieces(reader: HashingReader, path: string): AsyncGenerator<Uint8Array> {
  const { createXzStreamReader } = await import('../compression/xz-stream.ts');
  let left: Buffer | null = null;
  const input = {
    async read(into: Buffer, offset: number, length: number): Promise<{ bytesRead: number }> {
      const chunk = left ?? (await reader.next())?.bytes ?? null;
      if (chunk === null) return { bytesRead: 0 };
      const bytesRead = Math.min(length, chunk.length);
      chunk.copy(into, offset, 0, bytesRead);
      left = bytesRead < chunk.length ? chunk.subarray(bytesRead) : null;
      return { bytesRead };
    },
  };
  const xz = createXzStreamReader(input, path);
  try {
    for (;;) {
      const piece = Buffer.allocUnsafe(decodedPieceBytes);
      const filled = await xz.readNext(piece);
      if (filled > 0) yield piece.subarray(0, filled);
      if (filled < piece.length) return;
    }
  } finally {
    xz.close();
  }
}

/** The zip entry's data (APPNOTE 4.3.8: after its local header), stored (method 0) or deflated (method 8). */
async function* zipEntryPieces(reader: HashingReader, entry: ZipImageEntry, path: string): AsyncGenerator<Uint8Array> {
  const dataEndBytes = entry.dataOffsetBytes + entry.compressedSizeBytes;
  async function* entryData(): AsyncGenerator<Buffer> {
    for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) {
      const start = Math.max(0, entry.dataOffsetBytes - chunk.offsetBytes);
      const end = Math.min(chunk.bytes.length, dataEndBytes - chunk.offsetBytes);
      if (start < end) yield chunk.bytes.subarray(start, end);
      if (chunk.offsetBytes + chunk.bytes.length >= dataEndBytes) return;
    }
  }
  if (entry.method === 0) yield* entryData();
  else if (entry.method === 8) yield* through(Readable.from(entryData()), createInflateRaw({ chunkSize: decodedPieceBytes }));
  else
    throw new CorruptImageError(
      `${path}: the zip entry ${entry.entryName} uses compression method ${entry.method}; only 0 (stored) and 8 (deflated) are read`,
      { file: path },
    );
}

export async function readZipEntry(path: string): Promise<ZipImageEntry> {
  const { findZipImageEntry } = await import('../compression/zip-entry.ts');
  const file = await openFileSource(path);
  try {
    return await findZipImageEntry(path, file);
  } finally {
    await file.close();
  }
}

/**
 * A decoder's complaint (zlib's Z_* errors, fzstd's numbered ones, bzip2's exit message) is damage of
 * the compressed data. Cancellation, file system errors (EIO) and Node's own (ERR_*) stay what they
 * are, and so does anything from the xz path, which names its own damage (compression/xz-stream.ts):
 * an engine that failed to load is not a damaged file.
 */
function asDamage(error: unknown, path: string, compression: ImageCompression, decodedBytes: number): unknown {
  if (error instanceof CorruptImageError || error instanceof CancelledError || !(error instanceof Error) || compression === 'xz') return error;
  if ('code' in error && typeof error.code === 'string' && /^(E[A-Z]+|ERR_[A-Z_]+)$/.test(error.code)) return error;
  return new CorruptImageError(`${path}: the ${compression} data is damaged after ${decodedBytes} decoded bytes: ${error.message}`, {
    file: path,
    decodedOffsetBytes: decodedBytes,
  });
}
