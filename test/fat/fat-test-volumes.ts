// Helpers of the FAT suites: a planned volume written to a sparse file (alone, or at a partition's
// offset inside a disk image), deterministic file contents, and the reference tools' views of a volume.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import type { FatInputEntry } from '../../src-main/fat/fat-directories.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';

export function scratchPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'fat-')), name);
}

/**
 * Writes `source` at `offsetBytes` of a file of `fileSizeBytes` (sparse: all-zero chunks are skipped,
 * so a 5 GiB volume costs what its metadata and files hold).
 */
export async function writeSourceToFile(source: ByteSource, path: string, options: { offsetBytes?: number; fileSizeBytes: number }): Promise<void> {
  const offsetBytes = options.offsetBytes ?? 0;
  // An existing file (a disk image with its partition table) keeps what lies outside the volume.
  const handle = openSync(path, existsSync(path) ? 'r+' : 'w');
  try {
    ftruncateSync(handle, options.fileSizeBytes);
    const chunkBytes = 1024 * 1024;
    for (let at = 0; at < source.sizeBytes; at += chunkBytes) {
      const chunk = await source.read(at, Math.min(chunkBytes, source.sizeBytes - at));
      if (chunk.some((byte) => byte !== 0)) writeSync(handle, chunk, 0, chunk.byteLength, offsetBytes + at);
    }
  } finally {
    closeSync(handle);
  }
}

/** `sizeBytes` bytes that differ with `seed` (so a misplaced file never matches by chance). */
export function seededBytes(sizeBytes: number, seed: number): Uint8Array {
  const random = createSeededRandom(seed);
  const bytes = new Uint8Array(sizeBytes);
  for (let index = 0; index < sizeBytes; index += 1) bytes[index] = Math.floor(random() * 256);
  return bytes;
}

export const testTimeMs = Date.UTC(2024, 4, 17, 13, 45, 30);

export function directory(path: string): FatInputEntry {
  return { path, type: 'directory', sizeBytes: 0, modifiedMs: testTimeMs };
}

export function file(path: string, bytes: Uint8Array): FatInputEntry {
  return { path, type: 'file', sizeBytes: bytes.byteLength, modifiedMs: testTimeMs, content: createMemorySource(bytes, path) };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `fsck.fat -n` (check only): its exit status and what it said. */
export function fsckFat(path: string): { status: number | null; output: string } {
  const run = spawnSync('fsck.fat', ['-n', '-v', path], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** mtools' image address: the file, and the volume's offset when it is not the whole file. */
export function mtoolsImage(path: string, offsetBytes = 0): string {
  return offsetBytes === 0 ? path : `${path}@@${offsetBytes}`;
}

/** A file's bytes as mtools reads them (mcopy to standard output). */
export function mtoolsRead(image: string, path: string): Buffer {
  return execFileSync('mcopy', ['-n', '-i', image, `::${path}`, '-'], { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
}

/** Every path on the volume, as `mdir -/ -b` lists it (mtools' own directory walk and long-name reading). */
export function mtoolsList(image: string): string[] {
  const run = spawnSync('mdir', ['-/', '-b', '-i', image, '::/'], { encoding: 'utf8', env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
  // mdir fails with 'File "::/" not found' when the root holds nothing (a freshly formatted volume).
  if (run.status !== 0 && run.stderr.includes('not found') && run.stdout.trim() === '') return [];
  if (run.status !== 0) throw new Error(`mdir ${image} failed: ${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::/'))
    .map((line) => line.slice(2).replace(/\/$/, ''))
    .sort();
}

/** One tag of `blkid -p` (low-level probe of the bytes, no cache) for the file at `path`; null when blkid prints none. */
export function blkidTag(path: string, tag: 'LABEL' | 'UUID' | 'TYPE'): string | null {
  const value = execFileSync('blkid', ['-p', '-s', tag, '-o', 'value', path], { encoding: 'utf8' }).trim();
  return value === '' ? null : value;
}

/** Total minus free clusters as dump.exfat (exfatprogs) counts them from the allocation bitmap. */
export function dumpExfatUsedClusters(image: Uint8Array | string): number {
  const path = typeof image === 'string' ? image : scratchPath('dump.exfat');
  if (typeof image !== 'string') writeFileSync(path, image);
  const output = execFileSync('dump.exfat', [path], { encoding: 'utf8' });
  const count = (label: string): number => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(output)?.[1]);
  return count('Total Clusters') - count('Free Clusters');
}
