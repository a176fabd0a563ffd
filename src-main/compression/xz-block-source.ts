// An .xz image read at random, one block at a time: the index says which compressed bytes hold which
// decoded bytes (xz-index.ts), and liblzma decodes a block when given its stream's header and then the
// block (xz 2.1.1, 3). A file of one block (single-threaded xz), or with blocks too large to keep,
// cannot be read this way: it needs decoding into a cache file.
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import { createLzmaDecoder, LZMA_OK, LZMA_RUN, LZMA_STREAM_END, lzmaErrorMessage } from './lzma-engine.ts';
import { createUnitSource, maxRandomAccessUnitBytes, type UnitSource } from './unit-source.ts';
import { xzStreamHeaderBytes, type XzBlockTable, type XzIndex } from './xz-index.ts';

/** Compressed bytes given to liblzma at a time. */
const inputChunkBytes = 1024 * 1024;

/** Why `index` cannot be read at random; null when it can. */
export function xzRandomAccessRefusal(index: XzIndex): string | null {
  if (index.blocks === null) return `it has ${index.blockCount} blocks, more than are listed for random access`;
  if (index.blockCount < 2) return 'it is one xz block (made by single-threaded xz), which only decodes from its start';
  const largest = index.blocks.decodedSizeBytes.reduce((max, size) => Math.max(max, size), 0);
  if (largest > maxRandomAccessUnitBytes)
    return `its largest block decodes to ${largest} bytes, over the ${maxRandomAccessUnitBytes}-byte limit for blocks read at random`;
  return null;
}

/** The decoded bytes of `file` (an .xz whose `blocks` come from its index). Closing it leaves `file` open (its owner closes it). */
export function createXzBlockSource(file: ByteSource, blocks: XzBlockTable): UnitSource {
  return createUnitSource(
    file.name,
    blocks,
    (block) => decodeXzBlock(file, blocks, block),
    () => Promise.resolve(),
  );
}

async function decodeXzBlock(file: ByteSource, blocks: XzBlockTable, block: number): Promise<Uint8Array> {
  const compressedOffset = blocks.compressedOffsetBytes[block] as number;
  const compressedBytes = blocks.compressedSizeBytes[block] as number;
  const output = new Uint8Array(blocks.decodedSizeBytes[block] as number);
  const damaged = (detail: string): CorruptImageError =>
    new CorruptImageError(`${file.name}: xz block ${block} (file offset ${compressedOffset}) is damaged: ${detail}`, {
      file: file.name,
      block,
      offsetBytes: compressedOffset,
    });
  const decoder = createLzmaDecoder();
  try {
    let outputOffset = 0;
    const feed = async (input: Uint8Array): Promise<void> => {
      let inputOffset = 0;
      while (inputOffset < input.length) {
        const step = await decoder.code(LZMA_RUN, input, inputOffset, input.length - inputOffset, output, outputOffset);
        if (step.errno !== LZMA_OK && step.errno !== LZMA_STREAM_END) throw damaged(lzmaErrorMessage(step.errno));
        const taken = input.length - inputOffset - step.inputLeft;
        outputOffset = output.length - step.outputLeft;
        // Output full and liblzma takes no more input: the block decodes to more than its index record says.
        if (taken === 0) throw damaged(`it decodes to more than the ${output.length} bytes its index record says`);
        inputOffset += taken;
      }
    };
    await feed(await file.read(blocks.streamOffsetBytes[block] as number, xzStreamHeaderBytes));
    for (let at = 0; at < compressedBytes; at += inputChunkBytes) {
      await feed(await file.read(compressedOffset + at, Math.min(inputChunkBytes, compressedBytes - at)));
    }
    if (outputOffset !== output.length) throw damaged(`it decodes to ${outputOffset} bytes; its index record says ${output.length}`);
    return output;
  } finally {
    decoder.close();
  }
}
