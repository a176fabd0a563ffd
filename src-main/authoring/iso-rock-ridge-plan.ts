// Rock Ridge entries for every record of the ISO 9660 hierarchy (RRIP 1.12 via iso/rock-ridge-writer.ts),
// and the continuation areas (SUSP 5.1 CE) that hold what a record has no room for, packed into
// sectors so no area crosses one (the layout places the sectors after the directories).
import { sectorBytes } from '../format/fields.ts';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { systemUseSpaceBytes } from '../iso/directory-record-writer.ts';
import { planSystemUse, type PlannedSystemUse, type SystemUseRequest } from '../iso/rock-ridge-writer.ts';
import type { TreeInventory } from './iso-file-data.ts';
import type { NamespaceTree } from './iso-namespaces.ts';

/** Plans the System Use field of every record (".", "..", entries) of `tree`. */
export function planRockRidge(tree: NamespaceTree, inventory: TreeInventory, fixedTimesMs: number | null): void {
  // Nodes the inventory does not know (the relocation directory) get serials after the tree's.
  let nextSerial = inventory.nodeCount + 1;
  const extraSerials = new Map<AuthoringNode, number>();
  const serialOf = (node: AuthoringNode): number => {
    const known = inventory.linksOf(node)?.serialNumber ?? extraSerials.get(node);
    if (known !== undefined) return known;
    extraSerials.set(node, nextSerial);
    return nextSerial++;
  };
  const linkCountOf = (node: AuthoringNode): number =>
    inventory.linksOf(node)?.linkCount ?? 2 + (node.children ?? []).filter((child) => child.kind === 'directory').length;
  const plan = (
    node: AuthoringNode,
    fields: Pick<SystemUseRequest, 'name' | 'role' | 'isRootSelf' | 'relocation'>,
    identifierBytes: number,
  ): PlannedSystemUse =>
    // Every field named (no spread): 100,000 requests live until rendering, and a spread one keeps its fields out of line.
    planSystemUse(
      {
        node,
        name: fields.name,
        role: fields.role,
        isRootSelf: fields.isRootSelf,
        relocation: fields.relocation,
        serialNumber: serialOf(node),
        linkCount: linkCountOf(node),
        fixedTimesMs,
      },
      systemUseSpaceBytes(identifierBytes),
    );

  for (const directory of tree.directories) {
    directory.selfSystemUse = plan(directory.node, { name: null, role: 'self', isRootSelf: directory === tree.root, relocation: null }, 1);
    // RRIP 4.1.5.2: a relocated directory's ".." names its original parent with PL.
    const parentNode = directory.originalParentNode ?? directory.parent.node;
    const relocation = directory.originalParentNode ? 'parent-link' : null;
    directory.parentSystemUse = plan(parentNode, { name: null, role: 'parent', isRootSelf: false, relocation }, 1);
    for (const entry of directory.entries) {
      entry.systemUse = plan(
        entry.node,
        { name: entry.node.name, role: 'entry', isRootSelf: false, relocation: entry.relocation },
        entry.identifier.byteLength,
      );
    }
  }
}

export interface ContinuationLayout {
  readonly sectorCount: number;
  /** Each planned field with a continuation: its sector (from 0) and byte offset in the areas. */
  readonly places: ReadonlyMap<PlannedSystemUse, { readonly sectorIndex: number; readonly offsetBytes: number }>;
}

/** Packs every continuation area of `tree` into sectors, in directory order; an area never crosses a sector. */
export function packContinuations(tree: NamespaceTree): ContinuationLayout {
  const places = new Map<PlannedSystemUse, { sectorIndex: number; offsetBytes: number }>();
  let sectorIndex = 0;
  let offsetBytes = 0;
  const place = (plan: PlannedSystemUse | null): void => {
    if (!plan || plan.continuationBytes === 0) return;
    if (plan.continuationBytes > sectorBytes) {
      // Longer than a sector: one area per sector from the start of a sector, chained by CE (rock-ridge-writer.ts).
      if (offsetBytes > 0) sectorIndex += 1;
      places.set(plan, { sectorIndex, offsetBytes: 0 });
      sectorIndex += Math.floor(plan.continuationBytes / sectorBytes);
      offsetBytes = plan.continuationBytes % sectorBytes;
      return;
    }
    if (offsetBytes + plan.continuationBytes > sectorBytes) {
      sectorIndex += 1;
      offsetBytes = 0;
    }
    places.set(plan, { sectorIndex, offsetBytes });
    offsetBytes += plan.continuationBytes;
  };
  for (const directory of tree.directories) {
    place(directory.selfSystemUse);
    place(directory.parentSystemUse);
    for (const entry of directory.entries) place(entry.systemUse);
  }
  return { sectorCount: places.size === 0 ? 0 : sectorIndex + (offsetBytes > 0 ? 1 : 0), places };
}
