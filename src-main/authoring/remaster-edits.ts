// The changes a remaster makes to the original's tree (issue 15), in the order given: `add` a file or
// folder from disk (read as `isotope create` reads its sources), `remove` a path, `rename` or move one.
// An added or renamed node carries no kept names (the namespaces name it anew); the rest keep theirs.
import { lstat } from 'node:fs/promises';
import type { RemasterEdit } from '../../shared/authoring.ts';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { madeFolderNode } from '../format/authoring-tree.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';
import { normalisedForReproducible } from './create-request.ts';
import { readSourceTree } from './source-tree.ts';

export interface EditOptions {
  readonly signal?: AbortSignal | undefined;
  /** The time of folders an `add` creates on its way (its missing parents). */
  readonly nowMs: number;
  /** Added sources get owners 0 and `mkisofs -r` modes, as `isotope create --reproducible` gives its tree. */
  readonly reproducible: boolean;
  /** Real paths an added folder's walk leaves out (SourceTreeOptions.withheld). */
  readonly withheld?: readonly string[] | undefined;
}

/** Applies `edits` to `root` (a tree this call may change: readRemasterTree's own); answers the warnings of the added sources. */
export async function applyRemasterEdits(root: AuthoringNode, edits: readonly RemasterEdit[], options: EditOptions): Promise<{ warnings: string[] }> {
  const warnings: string[] = [];
  for (const edit of edits) {
    throwIfCancelled(options.signal, 'applying the remaster edits');
    switch (edit.kind) {
      case 'add':
        warnings.push(...(await addSource(root, edit.sourcePath, edit.imagePath, options)));
        break;
      case 'remove':
        removePath(root, edit.imagePath);
        break;
      case 'rename':
        renamePath(root, edit.imagePath, edit.newImagePath);
        break;
    }
  }
  return { warnings };
}

/**
 * Where the node at `path` before the edits is after them: renames move it (or a folder above it);
 * a removal takes it away (null); an add at it or above it replaces it (`replaced`: other bytes).
 */
export function pathAfterEdits(path: string, edits: readonly RemasterEdit[]): { path: string; replaced: boolean } | null {
  let current = normalizedPath(path);
  let replaced = false;
  for (const edit of edits) {
    const at = normalizedPath(edit.imagePath);
    const inside = current === at || current.startsWith(`${at}/`);
    if (!inside) continue;
    if (edit.kind === 'remove') return null;
    if (edit.kind === 'add') replaced = true;
    else current = normalizedPath(edit.newImagePath) + current.slice(at.length);
  }
  return { path: current, replaced };
}

async function addSource(root: AuthoringNode, sourcePath: string, imagePath: string, options: EditOptions): Promise<string[]> {
  const names = pathNames(imagePath, 'add');
  const name = names.pop() as string;
  const { root: added, warnings } = await readSourceTree([sourcePath], { excludes: [], signal: options.signal, withheld: options.withheld });
  // readSourceTree gives a folder's contents as its root, and a file as the root's only child.
  const isFolder = (await lstat(sourcePath)).isDirectory();
  const walked = isFolder ? added : added.children?.[0];
  if (!walked) throw new CodedError('not-found', `${sourcePath} gave nothing to add at ${imagePath}`, { path: sourcePath });
  const source = options.reproducible ? normalisedForReproducible(walked) : walked;
  const parent = folderAt(root, names, { create: true, nowMs: options.nowMs, path: imagePath, reproducible: options.reproducible });
  placeChild(parent, { ...source, name, keptNames: null });
  return warnings;
}

function removePath(root: AuthoringNode, imagePath: string): void {
  const names = pathNames(imagePath, 'remove');
  const name = names.pop() as string;
  const parent = folderAt(root, names, { create: false, nowMs: 0, path: imagePath });
  const index = parent.children?.findIndex((child) => child.name === name) ?? -1;
  if (index < 0) throw notFound(imagePath);
  parent.children?.splice(index, 1);
}

function renamePath(root: AuthoringNode, imagePath: string, newImagePath: string): void {
  const from = pathNames(imagePath, 'rename');
  const to = pathNames(newImagePath, 'rename');
  if (to.length > from.length && from.every((name, index) => to[index] === name)) {
    throw new CodedError('invalid-request', `cannot move ${imagePath} into itself (${newImagePath})`, { path: imagePath });
  }
  const name = from.pop() as string;
  const newName = to.pop() as string;
  const parent = folderAt(root, from, { create: false, nowMs: 0, path: imagePath });
  const index = parent.children?.findIndex((child) => child.name === name) ?? -1;
  const node = parent.children?.[index];
  if (!node) throw notFound(imagePath);
  const newParent = folderAt(root, to, { create: false, nowMs: 0, path: newImagePath });
  if (newParent.children?.some((child) => child.name === newName)) {
    throw new CodedError('invalid-request', `cannot rename ${imagePath} to ${newImagePath}: ${newImagePath} exists`, { path: newImagePath });
  }
  parent.children?.splice(index, 1);
  // origin named: a walked node's is a getter, which a spread does not copy.
  newParent.children?.push({ ...node, name: newName, keptNames: null, origin: node.origin });
}

/** The folder the names lead to from `root`; with `create`, missing folders are made (0755, or 0555 reproducibly; owner 0; `nowMs`). */
function folderAt(root: AuthoringNode, names: readonly string[], how: { create: boolean; nowMs: number; path: string; reproducible?: boolean }): AuthoringNode {
  let folder = root;
  let walked = '';
  for (const name of names) {
    walked += `/${name}`;
    let next = folder.children?.find((child) => child.name === name);
    if (!next && how.create) {
      next = madeFolderNode({ name, timeMs: how.nowMs, children: [], origin: `a folder made for ${how.path}` });
      if (how.reproducible) next = normalisedForReproducible(next);
      folder.children?.push(next);
    }
    if (!next) throw notFound(walked);
    if (next.kind !== 'directory' || !next.children) {
      throw new CodedError('invalid-request', `${walked} is a ${next.kind}, not a folder (in ${how.path})`, { path: walked });
    }
    folder = next;
  }
  return folder;
}

/** Puts `node` in `folder`, replacing a child of the same name (an add replaces what is there). */
function placeChild(folder: AuthoringNode, node: AuthoringNode): void {
  const children = folder.children as AuthoringNode[];
  const index = children.findIndex((child) => child.name === node.name);
  if (index >= 0) children[index] = node;
  else children.push(node);
}

/** The names of an absolute image path; the root itself, '.' and '..' are refused for every edit. */
function pathNames(imagePath: string, kind: RemasterEdit['kind']): string[] {
  const names = imagePath.split('/').filter((name) => name !== '');
  if (!imagePath.startsWith('/') || names.length === 0 || names.some((name) => name === '.' || name === '..' || name.includes('\0'))) {
    throw new CodedError('invalid-request', `${kind} needs an absolute path below the image's root, not '${imagePath}'`, { path: imagePath });
  }
  return names;
}

function normalizedPath(imagePath: string): string {
  return `/${imagePath
    .split('/')
    .filter((name) => name !== '')
    .join('/')}`;
}

function notFound(imagePath: string): CodedError {
  return new CodedError('not-found', `${imagePath} is not in the image`, { path: imagePath });
}
