// The differential suite's source trees (issue 15 "Proof"): each is generated from a seed, so the same
// recipe gives the same names, bytes, modes, owners and times on every machine, and is built once into
// test/.cache/authoring-trees/<recipe hash>/ with its snapshot (the expected listing, hashes included)
// beside it. Times and permissions are set explicitly after the tree is built, so neither the clock
// nor the umask of the run that built it leaks into what the images must hold.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../fixtures/fixture-cache.ts';
import { seededBytes } from '../../fixtures/iso-images.ts';
import { createSeededRandom } from '../../helpers/seeded-random.ts';
import { snapshotDirectory, sortByPath, type TreeEntry } from './tree-entry.ts';

export const treesCacheDir = join(repoRoot, 'test/.cache/authoring-trees');
const GiB = 1024 * 1024 * 1024;

/** What a tree's builder gets: its root and helpers that keep every write deterministic. */
export class TreeBuilder {
  readonly random: () => number;
  constructor(
    readonly root: string,
    seed: number,
  ) {
    this.random = createSeededRandom(seed);
  }
  at(path: string): string {
    return join(this.root, path);
  }
  dir(path: string): void {
    mkdirSync(this.at(path), { recursive: true });
  }
  /** A file of `sizeBytes` seeded bytes (its parents made as needed). */
  file(path: string, sizeBytes: number): void {
    this.dir(dirname(path));
    writeFileSync(this.at(path), seededBytes(path, sizeBytes));
  }
  text(path: string, content: string): void {
    this.dir(dirname(path));
    writeFileSync(this.at(path), content);
  }
  symlink(path: string, target: string): void {
    this.dir(dirname(path));
    symlinkSync(target, this.at(path));
  }
  hardLink(existing: string, path: string): void {
    this.dir(dirname(path));
    linkSync(this.at(existing), this.at(path));
  }
  /** A sparse file: no data blocks, reads as zeros. */
  sparse(path: string, sizeBytes: number): void {
    this.dir(dirname(path));
    writeFileSync(this.at(path), '');
    truncateSync(this.at(path), sizeBytes);
  }
  /** mknod (root only): 'b' block, 'c' character, 'p' fifo. */
  node(path: string, type: 'b' | 'c' | 'p', device: readonly [number, number] | null = null): void {
    this.dir(dirname(path));
    execFileSync('mknod', [this.at(path), type, ...(device ? device.map(String) : [])]);
  }
}

export interface TreeSpec {
  /** Folder-safe name ('names-255'), also the test's label. */
  readonly name: string;
  /** Changes whenever `build` does (the cache key). */
  readonly version: number;
  readonly needsRoot?: boolean;
  readonly build: (tree: TreeBuilder) => void;
  /** Explicit attributes by path, applied after the defaults (0644 files, 0755 folders, root's owner). */
  readonly attributes?: Readonly<Record<string, { mode?: number; uid?: number; gid?: number; mtimeS?: number }>>;
}

export interface BuiltTree {
  readonly spec: TreeSpec;
  /** The folder to give the writers. */
  readonly root: string;
  /** What every namespace must show (sorted by path). */
  readonly expected: readonly TreeEntry[];
}

/** Seconds in 2001..2030 chosen by the path (deterministic, distinct per entry, kept by every format). */
function defaultMtimeS(path: string): number {
  const hash = createHash('sha256').update(path).digest();
  return 978_307_200 + (hash.readUInt32BE(0) % (30 * 365 * 86_400));
}

/** Defaults, then the spec's explicit attributes; children before parents (a child's change bumps its folder's mtime). */
function applyAttributes(spec: TreeSpec, root: string): void {
  const entries = snapshotDirectory(root, { content: false }).reverse();
  for (const entry of entries) {
    const path = join(root, entry.path);
    const wanted = spec.attributes?.[entry.path] ?? {};
    if (entry.kind !== 'symlink') chmodSync(path, wanted.mode ?? (entry.kind === 'directory' ? 0o755 : 0o644));
    if (wanted.uid !== undefined || wanted.gid !== undefined) chownSync(path, wanted.uid ?? 0, wanted.gid ?? 0);
    const mtimeS = wanted.mtimeS ?? defaultMtimeS(entry.path);
    lutimesSync(path, mtimeS, mtimeS);
  }
}

/** The tree of `spec`, built once per recipe version into the cache, with its expected snapshot. */
export function ensureTree(spec: TreeSpec): BuiltTree {
  const key = createHash('sha256')
    .update(`${spec.name} v${spec.version} ${JSON.stringify(spec.attributes ?? {})}`)
    .digest('hex')
    .slice(0, 12);
  const dir = join(treesCacheDir, `${spec.name}-${key}`);
  const snapshotPath = join(dir, 'expected.json');
  if (!existsSync(snapshotPath)) {
    rmSync(dir, { recursive: true, force: true });
    const work = `${dir}.work-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    const root = join(work, 'tree');
    mkdirSync(root, { recursive: true });
    spec.build(new TreeBuilder(root, [...spec.name].reduce((sum, char) => sum * 31 + char.charCodeAt(0), spec.version) >>> 0));
    applyAttributes(spec, root);
    const knownSha256 = new Map<string, string>();
    for (const entry of snapshotDirectory(root, { content: false }))
      if (entry.kind === 'file' && (entry.sizeBytes ?? 0) >= GiB) knownSha256.set(entry.path, sha256OfZeros(entry.sizeBytes ?? 0));
    writeFileSync(join(work, 'expected.json'), JSON.stringify(snapshotDirectory(root, { content: true, knownSha256 })));
    renameSync(work, dir); // atomic: a half-built tree is never taken as cached
  }
  const expected = sortByPath(JSON.parse(readFileSync(snapshotPath, 'utf8')) as TreeEntry[]);
  return { spec, root: join(dir, 'tree'), expected };
}

/** SHA-256 of `sizeBytes` zero bytes (a sparse file's content) without reading the file. */
function sha256OfZeros(sizeBytes: number): string {
  const digest = createHash('sha256');
  const zeros = Buffer.alloc(16 * 1024 * 1024);
  for (let done = 0; done < sizeBytes; done += zeros.length) digest.update(zeros.subarray(0, Math.min(zeros.length, sizeBytes - done)));
  return digest.digest('hex');
}

export const sizesOfInterest = { GiB };
