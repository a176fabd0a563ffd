// Writes a composed stick to a sparse file standing in for a drive (the body, then the tail pieces,
// as the flash pipeline does), copies its partition out for the tools that read one file system
// (fsck.fat, fsck.exfat, mdir), and hashes trees of files for comparing a stick with its image.
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import type { ComposedStick } from '../../src-main/stick/compose-stick.ts';
import { runTool } from '../fixtures/fixture-cache.ts';

const chunkBytes = 4 * 1024 * 1024;

async function copySource(source: ByteSource, descriptor: number): Promise<void> {
  for (let offsetBytes = 0; offsetBytes < source.sizeBytes; offsetBytes += chunkBytes) {
    const bytes = await source.read(offsetBytes, Math.min(chunkBytes, source.sizeBytes - offsetBytes));
    writeSync(descriptor, bytes, 0, bytes.byteLength, offsetBytes);
  }
}

/** Writes `stick` over the file at `path` (which may hold old bytes), sized `deviceSizeBytes`. */
export async function writeStickToFile(stick: ComposedStick, path: string, deviceSizeBytes: number): Promise<void> {
  const descriptor = openSync(path, 'a+');
  closeSync(descriptor);
  const file = openSync(path, 'r+');
  try {
    ftruncateSync(file, deviceSizeBytes);
    await copySource(stick.body, file);
    for (const piece of stick.tail) writeSync(file, piece.bytes, 0, piece.bytes.byteLength, piece.offsetBytes);
  } finally {
    closeSync(file);
  }
}

/** Copies `lengthBytes` of the file at `diskPath` from `offsetBytes` into a file of its own. */
function copyRange(diskPath: string, offsetBytes: number, lengthBytes: number, outputPath: string): void {
  runTool('dd', [
    `if=${diskPath}`,
    `of=${outputPath}`,
    'bs=1M',
    `skip=${offsetBytes}`,
    `count=${lengthBytes}`,
    'iflag=skip_bytes,count_bytes',
    'conv=sparse',
    'status=none',
  ]);
}

/**
 * Writes `stick` over a drive file in `folder` first filled with 0xAA (old data), and copies its one
 * partition (as sfdisk finds it) into a file of its own.
 */
export async function writeStickAndPartition(
  stick: ComposedStick,
  folder: string,
  deviceSizeBytes: number,
  name: string,
): Promise<{ disk: string; partition: string }> {
  const disk = join(folder, `${name}.img`);
  writeFileSync(disk, Buffer.alloc(deviceSizeBytes, 0xaa));
  await writeStickToFile(stick, disk, deviceSizeBytes);
  const table = JSON.parse(runTool('sfdisk', ['--json', disk])) as { partitiontable: { partitions: { start: number; size: number }[] } };
  const [partition] = table.partitiontable.partitions;
  if (!partition) throw new Error(`sfdisk finds no partition on ${disk}`);
  const partitionPath = join(folder, `${name}.part`);
  copyRange(disk, partition.start * 512, partition.size * 512, partitionPath);
  return { disk, partition: partitionPath };
}

/** SHA-256 of every file below `root`, by '/'-rooted relative path. */
export function hashTree(root: string): Map<string, string> {
  const hashes = new Map<string, string>();
  const visit = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) visit(path);
      else hashes.set(`/${relative(root, path)}`, createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  visit(root);
  return hashes;
}

/** SHA-256 of a ByteSource's bytes, read in chunks. */
export async function hashSource(source: ByteSource): Promise<string> {
  const hash = createHash('sha256');
  for (let offsetBytes = 0; offsetBytes < source.sizeBytes; offsetBytes += chunkBytes) {
    hash.update(await source.read(offsetBytes, Math.min(chunkBytes, source.sizeBytes - offsetBytes)));
  }
  return hash.digest('hex');
}
