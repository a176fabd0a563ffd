// A .zst image read at random, one frame at a time (zstd-frames.ts lists them): the reference libzstd
// (zstd-napi, as backups use) decodes a frame in one pass into a buffer of its recorded size (checked
// against the frame's blocks, at most 32 MiB, before any decode), and checks its XXH64 content
// checksum when the frame has one. fzstd, the streaming decoder, took about 100 ms per 1 MiB frame here;
// libzstd takes about 1 ms. A frame that decodes to another size than recorded is refused as damaged.
import { Decompressor } from 'zstd-napi';
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import { createUnitSource, type UnitSource } from './unit-source.ts';
import type { ZstdFrameTable } from './zstd-frames.ts';

/** The decoded bytes of `file` (a .zst whose frames all record their sizes). Closing it leaves `file` open (its owner closes it). */
export function createZstdFrameSource(file: ByteSource, frames: ZstdFrameTable): UnitSource {
  const decompressor = new Decompressor();
  return createUnitSource(
    file.name,
    frames,
    (frame) => decodeZstdFrame(file, frames, frame, decompressor),
    () => Promise.resolve(),
  );
}

async function decodeZstdFrame(file: ByteSource, frames: ZstdFrameTable, frame: number, decompressor: Decompressor): Promise<Uint8Array> {
  const compressedOffset = frames.compressedOffsetBytes[frame] as number;
  const decodedBytes = frames.decodedSizeBytes[frame] as number;
  const compressed = await file.read(compressedOffset, frames.compressedSizeBytes[frame] as number);
  let decoded: Uint8Array;
  try {
    // A skippable frame listed by a seek table decodes to nothing.
    decoded = decodedBytes === 0 ? new Uint8Array(0) : decompressor.decompress(compressed);
  } catch (error) {
    throw new CorruptImageError(`${file.name}: zstd frame ${frame} (file offset ${compressedOffset}) is damaged: ${(error as Error).message}`, {
      file: file.name,
      frame,
      offsetBytes: compressedOffset,
    });
  }
  if (decoded.byteLength !== decodedBytes) {
    throw new CorruptImageError(
      `${file.name}: zstd frame ${frame} (file offset ${compressedOffset}) decodes to ${decoded.byteLength} bytes; its size is recorded as ${decodedBytes}`,
      { file: file.name, frame, offsetBytes: compressedOffset },
    );
  }
  return decoded;
}
