// The damage the seeded mutation sweeps do to an image's structures (test/ext/ and test/image/'s
// *-mutation-sweep tests): 1 to 4 edits a case, each a random byte, or a little-endian 32-bit field at
// an aligned offset set to a telling value (0, all ones, the sign bit...) or to any value; then the
// image is put back (withDamage, which the fast-check sweeps in test/fat/ and test/boot/ use for their
// own edits too). The same random numbers give the same edits, so a seed replays a sweep. And what the
// sweeps make a damaged file system go through: a walk that reads every file.
import { entryContentSource } from '../../src-main/format/entry-source.ts';
import type { FileTree } from '../../src-main/format/file-tree.ts';
import type { ByteSource } from '../../src-main/io/byte-source.ts';

/** One edit: the byte at `offsetBytes` becomes `value`. */
export type ByteEdit = [offsetBytes: number, value: number];

export interface DamageOptions {
  /** How often an edit smashes a 32-bit field rather than one byte, 0 to 1. */
  readonly fieldChance: number;
  /** The values a smashed field gets half the time (any 32-bit value the other half). */
  readonly smashes: readonly number[];
}

/** One case's edits, each inside one of `regions` ([start, length] in bytes), drawn from `next` (numbers in [0, 1)). */
export function randomDamage(next: () => number, regions: readonly (readonly [number, number])[], options: DamageOptions): ByteEdit[] {
  const pick = (below: number): number => Math.floor(next() * below);
  const edits: ByteEdit[] = [];
  for (let count = 1 + pick(4); count > 0; count -= 1) {
    const [start, length] = regions[pick(regions.length)] as readonly [number, number];
    const at = start + pick(length);
    if (next() < options.fieldChance) {
      const aligned = at - (at % 4);
      const value = next() < 0.5 ? (options.smashes[pick(options.smashes.length)] as number) : pick(0x100000000);
      for (let byte = 0; byte < 4; byte += 1) edits.push([aligned + byte, (value >>> (8 * byte)) & 0xff]);
    } else edits.push([at, pick(256)]);
  }
  return edits;
}

/** Runs `work` with `edits` made to `image`, and puts its bytes back after, whether `work` returns or throws. */
export async function withDamage<T>(image: Uint8Array, edits: readonly ByteEdit[], work: () => Promise<T>): Promise<T> {
  const saved = edits.map(([offsetBytes]) => image[offsetBytes] as number);
  for (const [offsetBytes, value] of edits) image[offsetBytes] = value;
  try {
    return await work();
  } finally {
    for (let index = edits.length - 1; index >= 0; index -= 1) image[(edits[index] as ByteEdit)[0]] = saved[index] as number;
  }
}

/** Walks all of `tree` and reads each file's bytes from `source` (the first `maxReadBytesPerFile` of each); how many entries and bytes it saw. */
export async function walkAndReadEveryFile(
  source: ByteSource,
  tree: FileTree,
  maxReadBytesPerFile: number = Number.POSITIVE_INFINITY,
): Promise<{ entries: number; bytesRead: number }> {
  let entries = 0;
  let bytesRead = 0;
  for await (const entry of tree.walk()) {
    entries += 1;
    if (entry.type === 'file') bytesRead += (await entryContentSource(source, entry).read(0, Math.min(entry.sizeBytes, maxReadBytesPerFile))).byteLength;
  }
  return { entries, bytesRead };
}
