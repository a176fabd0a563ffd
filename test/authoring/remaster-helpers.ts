// Helpers of the remaster tests: the options of a remaster held open while a test looks at them, and
// the options' tree in the oracles' shape (test/authoring/differential/tree-entry.ts).
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RemasterEdit } from '../../shared/authoring.ts';
import type { AuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { remasterAuthoringOptions } from '../../src-main/authoring/remaster-request.ts';
import type { IsoAuthoringOptions } from '../../src-main/authoring/iso-authoring.ts';
import type { TreeEntry } from './differential/tree-entry.ts';

/** The options for remastering `imagePath` unchanged, with the original open while `use` runs. */
export async function withOptions<T>(imagePath: string, use: (options: IsoAuthoringOptions) => Promise<T>, edits: readonly RemasterEdit[] = []): Promise<T> {
  const remaster = await remasterAuthoringOptions({ imagePath, outputPath: join(tmpdir(), 'unused.iso'), edits });
  try {
    return await use(remaster.options);
  } finally {
    await remaster.close();
  }
}

/** Every node below the root with its path (the root itself is not listed, as the oracles list). */
export function* walkNodes(node: AuthoringNode, path = ''): Generator<{ path: string; node: AuthoringNode }> {
  for (const child of node.children ?? []) {
    const childPath = `${path}/${child.name}`;
    yield { path: childPath, node: child };
    yield* walkNodes(child, childPath);
  }
}

export async function sha256Of(node: AuthoringNode): Promise<string> {
  const bytes = node.content && node.sizeBytes > 0 ? await node.content.read(0, node.sizeBytes) : new Uint8Array(0);
  return createHash('sha256').update(bytes).digest('hex');
}

/** The nodes in the oracles' shape, with exactly the fields `fields` names. */
export async function asTreeEntries(root: AuthoringNode, fields: readonly string[]): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  for (const { path, node } of walkNodes(root)) {
    const entry: TreeEntry = { path, kind: node.kind };
    if (fields.includes('mode')) entry.mode = node.mode & 0o7777;
    if (fields.includes('uid')) entry.uid = node.uid;
    if (fields.includes('gid')) entry.gid = node.gid;
    if (node.kind === 'file') {
      entry.sizeBytes = node.sizeBytes;
      if (fields.includes('sha256')) entry.sha256 = await sha256Of(node);
    }
    if (fields.includes('mtimeS') && (node.kind === 'file' || node.kind === 'directory')) entry.mtimeS = Math.floor(node.modifiedMs / 1000);
    if (node.linkTarget !== null) entry.linkTarget = node.linkTarget;
    if (node.device) entry.device = `${node.device.major},${node.device.minor}`;
    entries.push(entry);
  }
  return entries;
}

/** An oracle's entries with only the fields it says it read (xorriso's lsdl prints modes even where none are recorded). */
export function onlyFields(entries: readonly TreeEntry[], fields: readonly string[]): TreeEntry[] {
  const kept = new Set(['path', 'kind', ...fields]);
  return entries.map((entry) => Object.fromEntries(Object.entries(entry).filter(([key]) => kept.has(key))) as unknown as TreeEntry).sort(byPath);
}

export const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** The paths the kept names of one namespace spell, for the nodes whose every component kept one. */
export function keptPaths(root: AuthoringNode, namespace: 'iso9660' | 'joliet'): string[] {
  const paths: string[] = [];
  const visit = (node: AuthoringNode, path: string): void => {
    for (const child of node.children ?? []) {
      const kept = child.keptNames?.[namespace];
      if (kept === undefined) continue;
      const bare = kept.replace(/;1$/, '').replace(/\.$/, '');
      paths.push(`${path}/${bare}`);
      visit(child, `${path}/${bare}`);
    }
  };
  visit(root, '');
  return paths.sort();
}

/** A copy of `imagePath` at `copy` with each patch's bytes written at its offset (a damaged original). */
export function patchedCopy(imagePath: string, copy: string, patches: readonly { offsetBytes: number; bytes: Uint8Array }[]): string {
  copyFileSync(imagePath, copy);
  const descriptor = openSync(copy, 'r+');
  try {
    for (const patch of patches) writeSync(descriptor, patch.bytes, 0, patch.bytes.byteLength, patch.offsetBytes);
  } finally {
    closeSync(descriptor);
  }
  return copy;
}

export function uint32(value: number, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, littleEndian);
  return bytes;
}

/** ECMA-119 9.1.3-9.1.4: patches giving the directory record at `recordOffsetBytes` another extent (both-endian LBA, and size when given). */
export function recordExtentPatches(recordOffsetBytes: number, extent: { lba: number; sizeBytes?: number }): { offsetBytes: number; bytes: Uint8Array }[] {
  const at = recordOffsetBytes + 2;
  const patches = [
    { offsetBytes: at, bytes: uint32(extent.lba, true) },
    { offsetBytes: at + 4, bytes: uint32(extent.lba, false) },
  ];
  if (extent.sizeBytes !== undefined) {
    patches.push({ offsetBytes: at + 8, bytes: uint32(extent.sizeBytes, true) }, { offsetBytes: at + 12, bytes: uint32(extent.sizeBytes, false) });
  }
  return patches;
}
