// ECMA-119 6.8.2.1: a directory hierarchy has at most 8 levels (the root is level 1). Deeper
// directories move to a directory in the root, RR_MOVED, where Rock Ridge links them back to their
// place (RRIP 4.1.5: CL in the old parent, PL in the moved directory's '..', RE on its new record),
// as genisoimage and mkisofs relocate them.
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { toDCharacters } from './iso-names.ts';

export interface Relocation {
  readonly directory: AuthoringNode;
  readonly originalParent: AuthoringNode;
  /** The directory's path in the source tree ('/a/b/c/d/e/f/g/h'), for the plan and messages. */
  readonly originalPath: string;
}

/** ECMA-119 6.8.2.1: the deepest level a directory may have. */
export const maxDirectoryLevels = 8;

/** A moved directory's level: RR_MOVED is level 2, so its children are level 3 (and theirs may move again). */
const relocatedLevel = 3;

/**
 * Directories deeper than 8 levels (root = level 1) to move to /RR_MOVED, in a walk of the tree
 * with each directory's children in name order, so the list depends only on the tree. A moved
 * directory keeps its subtree, which counts its levels from its new place. `movedName` is the
 * directory's Rock Ridge name: 'rr_moved' as genisoimage names it (ISO 9660 'RR_MOVED'), the one name
 * besides '.rr_moved' that libarchive (bsdtar) accepts RE entries in; 'rr_moved_1', ... when the
 * root holds a child of that ISO 9660 name already.
 */
export function planRelocations(root: AuthoringNode): { relocations: readonly Relocation[]; movedName: string } {
  const relocations: Relocation[] = [];
  const pending: { directory: AuthoringNode; level: number; path: string }[] = [{ directory: root, level: 1, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const subdirectories = (next.directory.children ?? [])
      .filter((child) => child.kind === 'directory')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Pushed in reverse, popped in name order: the walk is depth-first in name order.
    for (let index = subdirectories.length - 1; index >= 0; index -= 1) {
      const child = subdirectories[index] as AuthoringNode;
      const path = `${next.path}/${child.name}`;
      const level = next.level + 1;
      if (level > maxDirectoryLevels) {
        relocations.push({ directory: child, originalParent: next.directory, originalPath: path });
        pending.push({ directory: child, level: relocatedLevel, path });
      } else pending.push({ directory: child, level, path });
    }
  }
  return { relocations, movedName: uniqueMovedName(root) };
}

/** 'rr_moved' unless a child of the root translates to its ISO 9660 name 'RR_MOVED', then the first free 'rr_moved_N'. */
function uniqueMovedName(root: AuthoringNode): string {
  const rootNames = new Set((root.children ?? []).map((child) => toDCharacters(child.name)));
  let name = 'rr_moved';
  for (let counter = 1; rootNames.has(toDCharacters(name)); counter += 1) name = `rr_moved_${counter}`;
  return name;
}
