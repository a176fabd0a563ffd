// A .zst image read at random, one frame at a time (zstd-frames.ts lists them): the reference libzstd
// (zstd-napi, as backups use) decodes a frame in one pass into a buffer of the size the table records
// for it (at most 32 MiB, checked before any decode), and checks its XXH64 content checksum when the
// frame has one. The buffer is sized by the table, never by the frame's own header: libzstd's
// Decompressor.decompress allocates what the header claims (or grows without bound), so a seek table
// entry of 1 MiB over a frame claiming 1 GiB cost 1 GiB; ZSTD_decompressDCtx into a fixed buffer
// refuses any output past its end. fzstd, the streaming decoder, took about 100 ms per 1 MiB frame
// here; libzstd takes about 1 ms. A frame that decodes to another size than recorded is refused as damaged.
import { createRequire } from 'node:module';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import { createUnitSource, type UnitSource } from './unit-source.ts';
import type { ZstdFrameTable } from './zstd-frames.ts';

// zstd-napi's low-level binding is a CommonJS module whose exports Node's ESM loader cannot name
// (it sets them through the native addon): loaded through require, in the source tree as in the bundle.
const { DCtx } = createRequire(import.meta.url)('zstd-napi/binding.js') as typeof ZstdBinding;
type DCtx = ZstdBinding.DCtx;

/** The decoded bytes of `file` (a .zst whose frames all record their sizes). Closing it leaves `file` open (its owner closes it). */
export function createZstdFrameSource(file: ByteSource, frames: ZstdFrameTable): UnitSource {
  const decompressor = new DCtx();
  return createUnitSource(
    file.name,
    frames,
    (frame) => decodeZstdFrame(file, frames, frame, decompressor),
    () => Promise.resolve(),
  );
}

async function decodeZstdFrame(file: ByteSource, frames: ZstdFrameTable, frame: number, decompressor: DCtx): Promise<Uint8Array> {
  const compressedOffset = frames.compressedOffsetBytes[frame] as number;
  const decodedBytes = frames.decodedSizeBytes[frame] as number;
  const compressed = await file.read(compressedOffset, frames.compressedSizeBytes[frame] as number);
  // One byte more than recorded: a frame decoding to more fills it and is refused below, not truncated.
  const decoded = new Uint8Array(decodedBytes + 1);
  let decodedLength: number;
  try {
    // A skippable frame listed by a seek table decodes to nothing.
    decodedLength = decodedBytes === 0 ? 0 : decompressor.decompress(decoded, compressed);
  } catch (error) {
    throw new CorruptImageError(`${file.name}: zstd frame ${frame} (file offset ${compressedOffset}) is damaged: ${(error as Error).message}`, {
      file: file.name,
      frame,
      offsetBytes: compressedOffset,
    });
  }
  if (decodedLength !== decodedBytes) {
    throw new CorruptImageError(
      `${file.name}: zstd frame ${frame} (file offset ${compressedOffset}) decodes to ${decodedLength === decoded.byteLength ? 'at least ' : ''}${decodedLength} bytes; its size is recorded as ${decodedBytes}`,
      { file: file.name, frame, offsetBytes: compressedOffset },
    );
  }
  return decoded.subarray(0, decodedBytes);
}
