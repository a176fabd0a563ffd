// An .xz image decoded by liblzma straight into the flash's slot (compression/xz-stream.ts): no stream,
// no intermediate buffers, no copy; decoding runs on libuv's thread pool, so it overlaps with the
// writes of the previous slots. The decoded size comes from the xz index, both for progress and to
// catch a file cut short on a block boundary (liblzma's stream decoder does not report that).
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { readXzIndex } from '../../compression/xz-index.ts';
import { createXzStreamReader } from '../../compression/xz-stream.ts';
import { CorruptImageError } from '../../io/corrupt-image-error.ts';
import { openFileSource } from '../../io/file-source.ts';
import { FlashFailure } from '../flash-error.ts';
import { decodeFailure, type FlashSource } from './image-source.ts';

export async function openXzSource(path: string): Promise<FlashSource> {
  const expectedBytes = await indexedSizeBytes(path);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new FlashFailure('source-unreadable', `cannot open the image ${path}: ${(error as Error).message}`);
  }
  const reader = createXzStreamReader(handle, basename(path));
  let producedBytes = 0;
  return {
    path,
    compression: 'xz',
    sizeBytes: expectedBytes,
    isSeekable: false,
    async readNext(into) {
      let filled: number;
      try {
        filled = await reader.readNext(into);
      } catch (error) {
        // The reader's message already names the file and the decoded offset of the damage.
        if (error instanceof CorruptImageError) throw new FlashFailure('corrupt-archive', error.message, Number(error.where.decodedOffsetBytes));
        throw decodeFailure(path, 'xz', error, producedBytes);
      }
      producedBytes += filled;
      if (filled < into.length && producedBytes !== expectedBytes) {
        throw new FlashFailure(
          'corrupt-archive',
          `${basename(path)}: the xz data ended after ${producedBytes} decoded bytes; the archive says ${expectedBytes}`,
          producedBytes,
        );
      }
      return filled;
    },
    readAt() {
      return Promise.reject(new Error('xz sources are read once, in order'));
    },
    async close() {
      reader.close();
      await handle.close();
    },
  };
}

/** The decoded size from the xz index; a file whose footer or index does not parse is damaged (a truncated download always is). */
async function indexedSizeBytes(path: string): Promise<number> {
  const file = await openFileSource(path).catch((error: Error) => {
    throw new FlashFailure('source-unreadable', `cannot open the image ${path}: ${error.message}`);
  });
  try {
    return (await readXzIndex(file)).decodedSizeBytes;
  } catch (error) {
    if (error instanceof CorruptImageError) throw new FlashFailure('corrupt-archive', error.message, null);
    throw new FlashFailure('source-unreadable', `reading the xz index of ${path} failed: ${(error as Error).message}`, null);
  } finally {
    await file.close();
  }
}
