// Where debugfs (e2fsprogs' own reader) places an ext volume's structures, for the tests that damage
// them: an inode's byte offset (imap), its number (stat), a file's blocks (blocks), an extent tree's
// node (ex) and an ext2 file's indirect blocks (stat). Volumes of 1 KiB blocks (the hostile bases).
import { execFileSync } from 'node:child_process';
import { hostileBaseBlockBytes as blockBytes } from '../fixtures/ext-images.ts';

export function debugfs(image: string, command: string): string {
  return execFileSync('debugfs', ['-R', command, image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** `imap PATH`: "located at block B, offset 0xO" -> the inode's byte offset. */
export function inodeOffset(image: string, path: string): number {
  const match = /located at block (\d+), offset 0x([0-9a-f]+)/.exec(debugfs(image, `imap ${path}`));
  if (!match) throw new Error(`debugfs imap ${path} named no place`);
  return Number(match[1]) * blockBytes + parseInt(match[2] as string, 16);
}

export function inodeNumber(image: string, path: string): number {
  return Number(/^Inode: (\d+)/m.exec(debugfs(image, `stat ${path}`))?.[1]);
}

/** `blocks PATH`: the first data block. */
export function firstBlock(image: string, path: string): number {
  return Number(debugfs(image, `blocks ${path}`).trim().split(/\s+/)[0]);
}

/** `ex PATH`: the block of the level-0 index's child (the one extent node of a depth-1 tree). */
export function extentNodeBlock(image: string, path: string): number {
  const match = /^\s*0\/\s*1\s+1\/\s*1\s+\d+\s+-\s+\d+\s+(\d+)/m.exec(debugfs(image, `ex ${path}`));
  if (!match) throw new Error(`debugfs ex ${path} shows no index`);
  return Number(match[1]);
}

/** The ext2 volume's `stat PATH` "(DIND):B". */
export function doubleIndirectBlock(image: string, path: string): number {
  return Number(/\(DIND\):(\d+)/.exec(debugfs(image, `stat ${path}`))?.[1]);
}

/** `blocks PATH`: every data block of a file or folder. */
export function dataBlocks(image: string, path: string): number[] {
  return debugfs(image, `blocks ${path}`).trim().split(/\s+/).filter(Boolean).map(Number);
}

/** The ext2 volume's `stat PATH` "(IND):B", "(DIND):B", "(TIND):B": every indirect block. */
export function indirectBlocks(image: string, path: string): number[] {
  return [...debugfs(image, `stat ${path}`).matchAll(/\((?:IND|DIND|TIND)\):(\d+)/g)].map((match) => Number(match[1]));
}
