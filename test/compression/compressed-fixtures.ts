// Compressed copies of one raw image, made by the real tools (xz, zstd, pzstd, gzip, bzip2, zip) in a
// temporary folder removed after the file's tests. The raw image mixes random bytes (incompressible),
// text and long zero runs (holes in a decoded cache file), so every decoder path is exercised.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CompressedFixtures {
  readonly dir: string;
  readonly rawPath: string;
  readonly raw: Buffer;
  readonly rawSha256: string;
  /** Paths by variant name. */
  readonly paths: Readonly<Record<CompressedVariant, string>>;
  remove(): void;
}

export type CompressedVariant =
  'xz-blocks' | 'xz-one-block' | 'zstd-frames' | 'zstd-seekable' | 'zstd-pzstd' | 'zstd-one-frame' | 'zip-stored' | 'zip-deflated' | 'gzip' | 'bzip2';

const mib = 1024 * 1024;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** 9 MiB + 1234 bytes: 3 MiB random, 2 MiB text, 3 MiB zeros, 1 MiB random, a ragged zero tail. */
function rawImage(): Buffer {
  const text = Buffer.from('Isotope reads compressed disk images at random where the format allows it.\n'.repeat(30_000)).subarray(0, 2 * mib);
  return Buffer.concat([randomBytes(3 * mib), text, Buffer.alloc(3 * mib), randomBytes(mib), Buffer.alloc(1234)]);
}

const run = (tool: string, args: readonly string[], input?: Buffer): Buffer =>
  execFileSync(tool, args, { input, maxBuffer: 256 * mib, stdio: ['pipe', 'pipe', 'pipe'] });

/** zstd frames of 1 MiB each, every frame recording its Frame_Content_Size (zstd does when it reads a file, not a pipe). */
function zstdFrames(raw: Buffer, dir: string): { frames: Buffer[]; decodedSizes: number[] } {
  const frames: Buffer[] = [];
  const decodedSizes: number[] = [];
  const piecePath = join(dir, 'piece');
  for (let at = 0; at < raw.length; at += mib) {
    const piece = raw.subarray(at, at + mib);
    writeFileSync(piecePath, piece);
    frames.push(run('zstd', ['-q', '-c', piecePath]));
    decodedSizes.push(piece.length);
  }
  rmSync(piecePath);
  return { frames, decodedSizes };
}

/** The seekable format's seek table (zstd contrib/seekable_format): a skippable frame listing each frame's sizes. */
export function seekTable(compressedSizes: readonly number[], decodedSizes: readonly number[]): Buffer {
  const entries = Buffer.alloc(compressedSizes.length * 8);
  compressedSizes.forEach((size, index) => {
    entries.writeUInt32LE(size, index * 8);
    entries.writeUInt32LE(decodedSizes[index] as number, index * 8 + 4);
  });
  const footer = Buffer.alloc(9);
  footer.writeUInt32LE(compressedSizes.length, 0);
  footer.writeUInt8(0, 4); // no checksums
  footer.writeUInt32LE(0x8f92eab1, 5);
  const header = Buffer.alloc(8);
  header.writeUInt32LE(0x184d2a5e, 0);
  header.writeUInt32LE(entries.length + footer.length, 4);
  return Buffer.concat([header, entries, footer]);
}

export function makeCompressedFixtures(): CompressedFixtures {
  const dir = mkdtempSync('/tmp/isotope-compressed-');
  const raw = rawImage();
  const rawPath = join(dir, 'disk.img');
  writeFileSync(rawPath, raw);
  const write = (name: string, bytes: Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const { frames, decodedSizes } = zstdFrames(raw, dir);
  run('zip', ['-q', '-0', '-j', join(dir, 'stored.zip'), rawPath]);
  run('zip', ['-q', '-j', join(dir, 'deflated.zip'), rawPath]);
  const paths: Record<CompressedVariant, string> = {
    'xz-blocks': write('blocks.img.xz', run('xz', ['-c', '-T2', '--block-size=1MiB'], raw)),
    'xz-one-block': write('one.img.xz', run('xz', ['-c', '-T1'], raw)),
    'zstd-frames': write('frames.img.zst', Buffer.concat(frames)),
    'zstd-seekable': write(
      'seekable.img.zst',
      Buffer.concat([
        ...frames,
        seekTable(
          frames.map((frame) => frame.length),
          decodedSizes,
        ),
      ]),
    ),
    'zstd-pzstd': write('pzstd.img.zst', run('pzstd', ['-q', '-p', '2', '-c'], raw)),
    'zstd-one-frame': write('one.img.zst', run('zstd', ['-q', '-c', rawPath])), // from a file: zstd records its size
    'zip-stored': join(dir, 'stored.zip'),
    'zip-deflated': join(dir, 'deflated.zip'),
    gzip: write('disk.img.gz', run('gzip', ['-c'], raw)),
    bzip2: write('disk.img.bz2', run('bzip2', ['-c'], raw)),
  };
  return { dir, rawPath, raw, rawSha256: sha256(raw), paths, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `path`'s bytes with `bytes` written over them at `offset`, saved as `name` beside it. */
export function patched(fixtures: CompressedFixtures, path: string, name: string, offset: number, bytes: Uint8Array): string {
  const data = Buffer.from(readFileSync(path));
  data.set(bytes, offset < 0 ? data.length + offset : offset);
  const out = join(fixtures.dir, name);
  writeFileSync(out, data);
  return out;
}
