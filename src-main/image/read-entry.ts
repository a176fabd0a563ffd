// Streams the content of a file inside an image: its extents in order (multi-extent files, ECMA-119
// 6.5.1), or, for a zisofs file (Rock Ridge ZF), the decompressed blocks. Never holds a whole file.
import type { ByteSource } from '../io/byte-source.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { corruptAt } from '../format/fields.ts';
import type { ZisofsHeader } from '../format/file-tree.ts';
import {
  inflateZisofsBlock,
  parseZisofsHeader,
  parseZisofsPointers,
  UnsupportedZisofsAlgorithmError,
  zisofsAlgorithmName,
  zisofsHeaderProbeBytes,
} from '../iso/zisofs.ts';
import type { TreeEntry as IsoEntry } from '../format/file-tree.ts';

export interface ReadEntryOptions {
  /** Bytes per chunk read from the image (zisofs files yield one block at a time). */
  readonly chunkBytes?: number;
  readonly signal?: AbortSignal;
  /**
   * zisofs bomb guard: refuse a file that claims more than this many times its stored size. Deflate
   * cannot beat about 1032:1, so only holes (empty blocks) go further; 1024 keeps real files readable.
   */
  readonly maxZisofsExpansion?: number;
}

const defaultChunkBytes = 1024 * 1024;

/** The file's bytes, chunk by chunk; yields nothing for directories, links and devices. */
export async function* readEntryContent(source: ByteSource, entry: IsoEntry, options: ReadEntryOptions = {}): AsyncGenerator<Uint8Array> {
  if (entry.type !== 'file') return;
  if (entry.zisofs) {
    yield* readZisofsContent(source, entry, entry.zisofs, options);
    return;
  }
  const chunkBytes = options.chunkBytes ?? defaultChunkBytes;
  for (const extent of entry.extents) {
    // UDF (ECMA-167 4/14.14.1.1): an allocated-but-unrecorded extent reads as zeros.
    if (extent.unrecorded) {
      for (let done = 0; done < extent.sizeBytes; done += chunkBytes) {
        throwIfCancelled(options.signal, `reading ${entry.path}`);
        yield new Uint8Array(Math.min(chunkBytes, extent.sizeBytes - done));
      }
      continue;
    }
    if (extent.offsetBytes + extent.sizeBytes > source.sizeBytes) {
      throw corruptAt(
        { offsetBytes: entry.recordOffsetBytes },
        2,
        `${entry.path}: extent of ${extent.sizeBytes} bytes at offset ${extent.offsetBytes} runs past the image end (${source.sizeBytes} bytes)`,
      );
    }
    for (let done = 0; done < extent.sizeBytes; done += chunkBytes) {
      throwIfCancelled(options.signal, `reading ${entry.path}`);
      yield await source.read(extent.offsetBytes + done, Math.min(chunkBytes, extent.sizeBytes - done));
    }
  }
}

/** The first `maxBytes` of a file (the preview), decompressing zisofs as needed. */
export async function readEntryHead(source: ByteSource, entry: IsoEntry, maxBytes: number): Promise<Uint8Array> {
  const head = new Uint8Array(Math.min(maxBytes, entry.sizeBytes));
  let filled = 0;
  for await (const chunk of readEntryContent(source, entry, { chunkBytes: Math.max(2048, maxBytes) })) {
    const take = Math.min(chunk.byteLength, head.byteLength - filled);
    head.set(chunk.subarray(0, take), filled);
    filled += take;
    if (filled >= head.byteLength) break;
  }
  return head.subarray(0, filled);
}

async function* readZisofsContent(source: ByteSource, entry: IsoEntry, zisofs: ZisofsHeader, options: ReadEntryOptions): AsyncGenerator<Uint8Array> {
  const algorithm = zisofsAlgorithmName(zisofs.algorithm);
  if (algorithm !== 'zlib') throw new UnsupportedZisofsAlgorithmError(entry.path, algorithm);
  const extent = entry.extents[0];
  if (!extent || entry.extents.length !== 1) {
    throw corruptAt({ offsetBytes: entry.recordOffsetBytes }, 0, `${entry.path}: a zisofs file must have exactly one extent`);
  }
  const place = { offsetBytes: extent.offsetBytes };
  const storedSizeBytes = extent.sizeBytes;
  if (extent.offsetBytes + storedSizeBytes > source.sizeBytes) throw corruptAt(place, 0, `${entry.path}: zisofs extent runs past the image end`);
  const header = parseZisofsHeader(
    await source.read(extent.offsetBytes, Math.min(zisofsHeaderProbeBytes, storedSizeBytes)),
    storedSizeBytes,
    place,
    entry.path,
  );
  if (header.uncompressedSizeBytes !== entry.sizeBytes) {
    throw corruptAt(place, 8, `${entry.path}: zisofs header says ${header.uncompressedSizeBytes} bytes, the ZF entry ${entry.sizeBytes}`);
  }
  const maxExpansion = options.maxZisofsExpansion ?? 1024;
  if (header.uncompressedSizeBytes > storedSizeBytes * maxExpansion + 1024 * 1024) {
    throw corruptAt(
      place,
      8,
      `${entry.path}: zisofs file expands ${storedSizeBytes} stored bytes to ${header.uncompressedSizeBytes} (over ${maxExpansion}x): a decompression bomb`,
    );
  }
  const tableBytes = (header.blockCount + 1) * header.pointerBytes;
  const table = await source.read(extent.offsetBytes + header.tableStart, tableBytes);
  const pointers = parseZisofsPointers(table, header, storedSizeBytes, { offsetBytes: extent.offsetBytes + header.tableStart });
  for (let index = 0; index < header.blockCount; index += 1) {
    throwIfCancelled(options.signal, `reading ${entry.path}`);
    const start = pointers[index] as number;
    const end = pointers[index + 1] as number;
    const expected = Math.min(header.blockBytes, header.uncompressedSizeBytes - index * header.blockBytes);
    // A compressed block never needs more than its output plus zlib's worst-case overhead.
    if (end - start > header.blockBytes + 1024) throw corruptAt(place, 0, `${entry.path}: zisofs block ${index} stores ${end - start} bytes`);
    const compressed = end > start ? await source.read(extent.offsetBytes + start, end - start) : new Uint8Array(0);
    yield inflateZisofsBlock(compressed, expected, { offsetBytes: extent.offsetBytes + start });
  }
}
