// From an iso:create request to the composer's options (issue 15): the sources walked into one tree,
// the defaults filled in (label from the first source's name, level 3, Rock Ridge and Joliet on), the
// boot resolved from the request and the tree, and, for a reproducible image, everything that would
// differ between machines or runs made fixed.
//
// Reproducible (`--reproducible`, SOURCE_DATE_EPOCH): every time is SOURCE_DATE_EPOCH (default 0), the
// volume's and every file's; owners are 0; modes are normalised as `mkisofs -r` does them (read for
// all, execute/search for all when any was set, no write bits, no setuid/setgid/sticky), so the umask
// a tree was made under does not show; the ids that would be random (GPT GUIDs, UDF ids) derive from a
// hash of the tree's names, kinds, sizes, modes, links and the options. The tree is sorted by name.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { IsoCreateRequest } from '../../shared/authoring.ts';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { resolveBoot } from './detect-boot.ts';
import type { IsoAuthoringOptions, VolumeIdentifiers } from './iso-authoring.ts';
import { readSourceTree, reproducibleMode, type ScanProgress } from './source-tree.ts';

/** What the Application Identifier (ECMA-119 8.4.21) says made the image. */
const applicationIdentifier = 'ISOTOPE';

/**
 * `onScanned` follows the walk of the sources (the job's `scanning` phase); `withheld` are real paths
 * the walk leaves out (SourceTreeOptions.withheld: for a contract caller, the private places).
 */
export async function createAuthoringOptions(
  request: IsoCreateRequest,
  signal?: AbortSignal,
  onScanned?: (scanned: ScanProgress) => void,
  withheld: readonly string[] = [],
): Promise<IsoAuthoringOptions> {
  const { options } = request;
  const reproducible = options.reproducible === true;
  // The walk gives a reproducible tree its owners and modes as it reads it: a second, normalised copy
  // of the tree would hold every node twice until the write ends (about 35 MB of heap for 50,000 files).
  const walked = await readSourceTree(request.sources, { excludes: options.excludes ?? [], signal, onEntry: onScanned, withheld, reproducible });
  const recordedMs = reproducible ? (options.sourceDateEpochSeconds ?? 0) * 1000 : Date.now();
  const root = walked.root;
  const ids: VolumeIdentifiers = {
    volume: options.label ?? (await defaultLabel(request.sources)),
    volumeSet: '',
    publisher: options.publisher ?? '',
    preparer: options.preparer ?? '',
    application: options.application ?? applicationIdentifier,
    system: '',
  };
  const shape = {
    level: options.level ?? 3,
    rockRidge: options.rockRidge ?? true,
    joliet: options.joliet ?? true,
    jolietLong: options.jolietLong ?? false,
    udf: options.udf ?? false,
  };
  const identitySeed = reproducible ? reproducibleSeed(root, { ids, shape, recordedMs, boot: options.boot ?? {} }) : randomUUID();
  const boot = await resolveBoot(root, options.boot ?? {}, identitySeed, { fixedFileTimesMs: reproducible ? recordedMs : null });
  return {
    root,
    ...shape,
    ids,
    recordedMs,
    fixedFileTimesMs: reproducible ? recordedMs : null,
    identitySeed,
    boot: { entries: boot.entries, hybrid: boot.hybrid },
    bootDetected: boot.detected,
    warnings: walked.warnings,
  };
}

/** The first source's name: a folder's as it is, a file's without its extension ('debian-12' for debian-12/ or debian-12.cfg). */
async function defaultLabel(sources: readonly string[]): Promise<string> {
  const first = sources[0] ?? '';
  const isFolder = (await lstat(first).catch(() => null))?.isDirectory() ?? false;
  const name = basename(first);
  return isFolder ? name : basename(name, extname(name));
}

/**
 * A tree already made (a remaster's added sources and folders) with owners 0 and modes normalised
 * (times are replaced by the writer: fixedFileTimesMs). `origin` is named: a walked node's is a getter.
 */
export function normalisedForReproducible(node: AuthoringNode): AuthoringNode {
  return {
    ...node,
    origin: node.origin,
    uid: 0,
    gid: 0,
    mode: reproducibleMode(node.mode),
    children: node.children === null ? null : node.children.map(normalisedForReproducible),
  };
}

/**
 * A seed equal on any machine for an equal tree and equal options: paths, kinds, sizes, modes, link
 * targets and device numbers (not times, owners or inode numbers), hard links by the first path that
 * names their data, then the identifiers, the namespaces and the boot options.
 */
function reproducibleSeed(root: AuthoringNode, settings: object): string {
  const hash = createHash('sha256');
  hashTree(hash, root, '', new Map());
  hash.update(JSON.stringify(settings));
  return hash.digest('hex');
}

function hashTree(hash: Hash, node: AuthoringNode, path: string, firstPathByLink: Map<string, string>): void {
  let linkedTo = '';
  if (node.hardLinkKey !== null) {
    linkedTo = firstPathByLink.get(node.hardLinkKey) ?? '';
    if (linkedTo === '') firstPathByLink.set(node.hardLinkKey, path);
  }
  const device = node.device ? `${node.device.major}:${node.device.minor}` : '';
  hash.update(JSON.stringify([path, node.kind, node.mode, node.sizeBytes, node.linkTarget ?? '', device, linkedTo]));
  hash.update('\n');
  // The walk sorted every folder's entries by name, so the order is the tree's, not the file system's.
  for (const child of node.children ?? []) hashTree(hash, child, `${path}/${child.name}`, firstPathByLink);
}
