// The file data of an authored image: every file's bytes laid out once (hard links share one run),
// in source path order, each run starting on a sector; zero-byte files point at the first sector of
// the file area, as libisofs (xorriso) records them. The inventory walk also enforces the tree limits.
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { sectorBytes } from '../format/fields.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';

/** A tree larger than this is refused before anything is planned (each node costs a few hundred bytes of plan). */
export const maxAuthoringNodes = 2_000_000;
/** Deeper than any source walk (255) or image reader (256) gives; the limit keeps the walks' stacks small. */
export const maxAuthoringDepth = 1024;

export interface FileRun {
  /** The first node (in path order) of the run's hard-link group, and its path. */
  readonly node: AuthoringNode;
  readonly path: string;
  readonly sizeBytes: number;
  startLba: number;
  readonly sectorCount: number;
  /** Rock Ridge PX (RRIP 4.1.1) of every name of the data: one file serial number, and the count of those names. */
  readonly serialNumber: number;
  linkCount: number;
}

/** Rock Ridge PX file serial number and links of a node (RRIP 4.1.1). */
export interface NodeLinks {
  readonly serialNumber: number;
  readonly linkCount: number;
}

export interface TreeInventory {
  /** One run per distinct file data (hard links once), in source path order. */
  readonly runs: readonly FileRun[];
  /** The run each file node's data lies in. */
  readonly runOf: ReadonlyMap<AuthoringNode, FileRun>;
  /**
   * Rock Ridge PX of a node of the tree: serial numbers count the nodes in path order, hard links
   * share their first name's; undefined for a node the tree does not hold (the relocation directory).
   */
  linksOf(node: AuthoringNode): NodeLinks | undefined;
  /** Nodes of the tree, so the largest serial number given. */
  readonly nodeCount: number;
  readonly fileCount: number;
  readonly directoryCount: number;
  readonly fileBytes: number;
}

/**
 * A FileRun that makes its path and sizes when asked: 50,000 held paths cost 3 MB until the write ends. It
 * also holds its data's Rock Ridge serial and links, so the tree's files need no map of their own
 * for them (two maps of 50,000 nodes cost about 5 MB).
 */
class PlannedRun implements FileRun {
  startLba = 0;
  linkCount = 1;
  constructor(
    readonly node: AuthoringNode,
    private readonly directoryPath: string,
    readonly serialNumber: number,
  ) {}

  /** The node's, not a copy: two fields fewer on each of 50,000 runs. */
  get sizeBytes(): number {
    return this.node.sizeBytes;
  }

  get sectorCount(): number {
    return Math.ceil(this.node.sizeBytes / sectorBytes);
  }

  get path(): string {
    return childPath(this.directoryPath, this.node.name);
  }
}

function childPath(directoryPath: string, name: string): string {
  return directoryPath === '/' ? `/${name}` : `${directoryPath}/${name}`;
}

function compareNames(a: AuthoringNode, b: AuthoringNode): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Walks the tree in path order (children by name, component by component), counting and grouping. */
export function inventoryTree(root: AuthoringNode, signal?: AbortSignal): TreeInventory {
  const runs: FileRun[] = [];
  const runOf = new Map<AuthoringNode, FileRun>();
  const runOfKey = new Map<string, PlannedRun>();
  // Directories, symlinks, devices, fifos and sockets: a file's serial and links are its run's.
  const otherLinks = new Map<AuthoringNode, NodeLinks>();
  let nodeCount = 0;
  let fileCount = 0;
  let directoryCount = 0;
  let fileBytes = 0;
  // Each entry names its directory's path, not its own: a file's path is made only when asked.
  const stack: { node: AuthoringNode; directoryPath: string; depth: number }[] = [{ node: root, directoryPath: '', depth: 1 }];
  while (stack.length > 0) {
    const { node, directoryPath, depth } = stack.pop()!;
    const path = (): string => (node === root ? '/' : childPath(directoryPath, node.name));
    if (++nodeCount + stack.length + (node.children?.length ?? 0) > maxAuthoringNodes) {
      // Counted before a directory's children are sorted: a hostile 10-million-entry folder costs no sort.
      throw new CodedError('too-complex', `the tree holds more than ${maxAuthoringNodes} files and folders (counted at ${path()})`);
    }
    if (nodeCount % 4096 === 0) throwIfCancelled(signal, 'planning the image');
    if (depth > maxAuthoringDepth)
      throw new CodedError('too-complex', `${path()} lies ${depth} levels deep, beyond the ${maxAuthoringDepth} an image may hold`);
    if (node.kind === 'directory') {
      directoryCount += node === root ? 0 : 1;
      const children = [...(node.children ?? [])].sort(compareNames);
      otherLinks.set(node, { serialNumber: nodeCount, linkCount: 2 + children.filter((child) => child.kind === 'directory').length });
      const ownPath = path();
      for (let index = children.length - 1; index >= 0; index -= 1) stack.push({ node: children[index]!, directoryPath: ownPath, depth: depth + 1 });
      continue;
    }
    if (node.kind !== 'file') {
      otherLinks.set(node, { serialNumber: nodeCount, linkCount: 1 });
      continue;
    }
    fileCount += 1;
    const key = node.hardLinkKey;
    const shared = key !== null ? runOfKey.get(key) : undefined;
    if (shared) {
      shared.linkCount += 1;
      runOf.set(node, shared);
      continue;
    }
    const run = new PlannedRun(node, directoryPath, nodeCount);
    runs.push(run);
    runOf.set(node, run);
    if (key !== null) runOfKey.set(key, run);
    fileBytes += node.sizeBytes;
  }
  const linksOf = (node: AuthoringNode): NodeLinks | undefined => runOf.get(node) ?? otherLinks.get(node);
  return { runs, runOf, linksOf, nodeCount, fileCount, directoryCount, fileBytes };
}

/** Places the runs from `startLba` in order and answers the first LBA after them. */
export function placeFileRuns(runs: readonly FileRun[], startLba: number): number {
  let nextLba = startLba;
  for (const run of runs) {
    run.startLba = nextLba;
    nextLba += run.sectorCount;
  }
  return nextLba;
}
