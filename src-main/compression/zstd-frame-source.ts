// A .zst image read at random, one frame at a time (zstd-frames.ts lists them): fzstd decodes a frame
// into a buffer of exactly its recorded size. fzstd does not check the optional XXH64 content checksum;
// a frame that decodes to another size than recorded is refused as damaged.
import { decompress } from 'fzstd';
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import { createUnitSource, type UnitSource } from './unit-source.ts';
import type { ZstdFrameTable } from './zstd-frames.ts';

/** The decoded bytes of `file` (a .zst whose frames all record their sizes). Closing it leaves `file` open (its owner closes it). */
export function createZstdFrameSource(file: ByteSource, frames: ZstdFrameTable): UnitSource {
  return createUnitSource(
    file.name,
    frames,
    (frame) => decodeZstdFrame(file, frames, frame),
    () => Promise.resolve(),
  );
}

async function decodeZstdFrame(file: ByteSource, frames: ZstdFrameTable, frame: number): Promise<Uint8Array> {
  const compressedOffset = frames.compressedOffsetBytes[frame] as number;
  const decodedBytes = frames.decodedSizeBytes[frame] as number;
  const compressed = await file.read(compressedOffset, frames.compressedSizeBytes[frame] as number);
  const output = new Uint8Array(decodedBytes);
  let decoded: Uint8Array;
  try {
    // A skippable frame listed by a seek table decodes to nothing.
    decoded = decodedBytes === 0 ? output : decompress(compressed, output);
  } catch (error) {
    throw new CorruptImageError(`${file.name}: zstd frame ${frame} (file offset ${compressedOffset}) is damaged: ${(error as Error).message}`, {
      file: file.name,
      frame,
      offsetBytes: compressedOffset,
    });
  }
  if (decoded.byteLength !== decodedBytes || decoded.buffer !== output.buffer) {
    throw new CorruptImageError(
      `${file.name}: zstd frame ${frame} (file offset ${compressedOffset}) decodes to ${decoded.byteLength} bytes; its size is recorded as ${decodedBytes}`,
      { file: file.name, frame, offsetBytes: compressedOffset },
    );
  }
  return output;
}
