// Directories deeper than ECMA-119 allows, moved to RR_MOVED (ECMA-119 6.8.2.1, RRIP 4.1.5). Stub: being written.
import type { AuthoringNode } from '../format/authoring-tree.ts';

export interface Relocation {
  readonly directory: AuthoringNode;
  readonly originalParent: AuthoringNode;
  readonly originalPath: string;
}

/** Directories deeper than 8 levels (root = level 1) to move to /RR_MOVED (named uniquely there). */
export function planRelocations(root: AuthoringNode): { relocations: readonly Relocation[]; movedName: string } {
  void root;
  return { relocations: [], movedName: 'RR_MOVED' };
}
