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
}

export interface TreeInventory {
  /** One run per distinct file data (hard links once), in source path order. */
  readonly runs: readonly FileRun[];
  /** The run each file node's data lies in. */
  readonly runOf: ReadonlyMap<AuthoringNode, FileRun>;
  /** Rock Ridge PX: a serial number per node, shared by hard links, and each node's link count. */
  readonly serialOf: ReadonlyMap<AuthoringNode, number>;
  readonly linkCountOf: ReadonlyMap<AuthoringNode, number>;
  readonly fileCount: number;
  readonly directoryCount: number;
  readonly fileBytes: number;
}

/** A FileRun that makes its path when asked: 50,000 held paths cost 3 MB until the write ends. */
class PlannedRun implements FileRun {
  startLba = 0;
  readonly sizeBytes: number;
  readonly sectorCount: number;
  constructor(
    readonly node: AuthoringNode,
    private readonly directoryPath: string,
  ) {
    this.sizeBytes = node.sizeBytes;
    this.sectorCount = Math.ceil(node.sizeBytes / sectorBytes);
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
  const runOfKey = new Map<string, FileRun>();
  const serialOf = new Map<AuthoringNode, number>();
  const serialOfKey = new Map<string, number>();
  const linkCountOf = new Map<AuthoringNode, number>();
  const linksOfKey = new Map<string, AuthoringNode[]>();
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
    const key = node.kind === 'file' && node.hardLinkKey !== null ? node.hardLinkKey : null;
    const sharedSerial = key !== null ? serialOfKey.get(key) : undefined;
    const serial = sharedSerial ?? serialOf.size + 1;
    serialOf.set(node, serial);
    if (key !== null) {
      serialOfKey.set(key, serial);
      const group = linksOfKey.get(key);
      if (group) group.push(node);
      else linksOfKey.set(key, [node]);
    }
    if (node.kind === 'directory') {
      directoryCount += node === root ? 0 : 1;
      const children = [...(node.children ?? [])].sort(compareNames);
      linkCountOf.set(node, 2 + children.filter((child) => child.kind === 'directory').length);
      const ownPath = path();
      for (let index = children.length - 1; index >= 0; index -= 1) stack.push({ node: children[index]!, directoryPath: ownPath, depth: depth + 1 });
      continue;
    }
    linkCountOf.set(node, 1);
    if (node.kind !== 'file') continue;
    fileCount += 1;
    const shared = key !== null ? runOfKey.get(key) : undefined;
    if (shared) {
      runOf.set(node, shared);
      continue;
    }
    const run = new PlannedRun(node, directoryPath);
    runs.push(run);
    runOf.set(node, run);
    if (key !== null) runOfKey.set(key, run);
    fileBytes += node.sizeBytes;
  }
  for (const group of linksOfKey.values()) for (const node of group) linkCountOf.set(node, group.length);
  return { runs, runOf, serialOf, linkCountOf, fileCount, directoryCount, fileBytes };
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
