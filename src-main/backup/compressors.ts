// The compressors a backup is written through, each a Transform from image bytes to file bytes that
// holds at most a chunk or a codec's window in memory (stream backpressure does the rest):
// - gzip: node:zlib (zlib's deflate, level 6 as gzip's default).
// - xz: node-liblzma (liblzma itself, already the engine of our .xz reading), preset 6 as xz's default:
//   about 94 MiB of encoder state whatever the drive's size, on libuv's thread pool.
// - zstd: zstd-napi (Node-API bindings to the reference libzstd, built from its bundled sources at
//   install; allowScripts in package.json). Node 20's zlib has no zstd and fzstd only decodes; the
//   WebAssembly builds tried (@hpcc-js/wasm-zstd) compressed about 50 times slower here (1.1 s against
//   20 ms per 4 MiB), slower than a USB stick reads. Level 3 and a content checksum, as the `zstd` command.
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import { createXz } from 'node-liblzma';
import { CompressStream } from 'zstd-napi';
import type { BackupCompression } from '../../shared/backup.ts';

/** zstd's default level (the `zstd` command's): fast, and the usual ratio on disk images. */
const zstdLevel = 3;
/** xz's default preset (`xz` without -0..-9). */
const xzPreset = 6;

export function createCompressor(compression: BackupCompression): NodeJS.ReadWriteStream {
  switch (compression) {
    case 'none':
      return new PassThrough();
    case 'gzip':
      return createGzip({ level: 6 });
    case 'xz':
      return createXz({ preset: xzPreset });
    case 'zstd':
      return new CompressStream({ compressionLevel: zstdLevel, checksumFlag: true });
  }
}
