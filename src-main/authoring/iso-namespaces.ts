// The directory hierarchies an authored image records: ISO 9660 (names fitted to the level, directories
// deeper than ECMA-119 6.8.2.1 allows moved to RR_MOVED, RRIP 4.1.5) and Joliet (the source hierarchy,
// UCS-2 names). Both name the same AuthoringNodes; each directory's entries are sorted as its
// namespace orders identifiers (ECMA-119 9.3), and the directories listed in path table order (6.9.1).
import type { IsoLevel } from '../../shared/authoring.ts';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { modeTypeBits } from '../format/authoring-tree.ts';
import { planRelocations } from '../iso/deep-directories.ts';
import { compareIsoIdentifiers, isoNamesForDirectory } from '../iso/iso-names.ts';
import { compareJolietIdentifiers, encodeUcs2, jolietNamesForDirectory } from '../iso/joliet-names.ts';
import type { PlannedSystemUse } from '../iso/rock-ridge-writer.ts';
import { maxPathTableParentNumber } from '../iso/path-table-writer.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';

export type NamespaceKind = 'iso9660' | 'joliet';

export interface NamespaceEntry {
  readonly node: AuthoringNode;
  /** The node's path in the source tree ('/boot/vmlinuz'). */
  readonly path: string;
  /** The identifier as recorded ('VMLINUZ.;1'). */
  readonly recordedAs: string;
  /** recordedAs as the namespace encodes it. */
  readonly identifier: Uint8Array;
  /** The directory this record points at; null for files, placeholders and other kinds. */
  readonly directory: NamespaceDirectory | null;
  /** RRIP 4.1.5: a placeholder for a relocated directory (CL), or a relocated directory's entry in RR_MOVED (RE). */
  readonly relocation: 'child-link' | 'relocated' | null;
  /** Rock Ridge entries of the (first) record, planned after naming; null without Rock Ridge. */
  systemUse: PlannedSystemUse | null;
}

export interface NamespaceDirectory {
  readonly node: AuthoringNode;
  readonly path: string;
  readonly identifier: Uint8Array;
  /** The parent in this namespace (RR_MOVED for a relocated directory); the root's is itself. */
  parent: NamespaceDirectory;
  /** A relocated directory's parent in the source tree (its '..' carries PL, RRIP 4.1.5.2). */
  readonly originalParentNode: AuthoringNode | null;
  readonly entries: NamespaceEntry[];
  selfSystemUse: PlannedSystemUse | null;
  parentSystemUse: PlannedSystemUse | null;
  /** Layout, filled by the composer: 1-based path table number, extent and its size. */
  number: number;
  extentLba: number;
  sectorCount: number;
}

export interface NamespaceTree {
  readonly kind: NamespaceKind;
  readonly root: NamespaceDirectory;
  /** Every directory in path table order (ECMA-119 6.9.1): by level, parent number, identifier. */
  readonly directories: readonly NamespaceDirectory[];
  /** The directory each source directory node is recorded as (for CL / PL links). */
  readonly directoryOf: ReadonlyMap<AuthoringNode, NamespaceDirectory>;
  readonly relocated: readonly { readonly originalPath: string; readonly recordedPath: string }[];
}

interface NamespaceRules {
  readonly kind: NamespaceKind;
  names(children: readonly { name: string; isDirectory: boolean; kept?: string }[]): string[];
  compare(a: string, b: string): number;
  encode(identifier: string): Uint8Array;
  kept(node: AuthoringNode): string | undefined;
  /** Whether the namespace records a node of this kind at all. */
  records(node: AuthoringNode): boolean;
}

/** How often the walks look at the cancel signal. */
const nodesBetweenCancelChecks = 4096;

/** An ISO 9660 identifier's text (d-characters, ECMA-119 7.4.1: ASCII). */
function asciiText(identifier: Uint8Array): string {
  return String.fromCharCode(...identifier);
}

/** ISO 9660 identifiers are d-characters (ASCII): one byte each. A plain loop: Uint8Array.from's iterator cost a second per 50,000 names. */
function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index += 1) bytes[index] = text.charCodeAt(index) & 0x7f;
  return bytes;
}

function isoRules(level: IsoLevel): NamespaceRules {
  return {
    kind: 'iso9660',
    names: (children) => isoNamesForDirectory(children, level),
    compare: compareIsoIdentifiers,
    encode: asciiBytes,
    kept: (node) => node.keptNames?.iso9660,
    // Symlinks, devices, fifos and sockets are plain records that Rock Ridge gives their kind.
    records: () => true,
  };
}

function jolietRules(long: boolean): NamespaceRules {
  return {
    kind: 'joliet',
    names: (children) => jolietNamesForDirectory(children, { long }),
    compare: compareJolietIdentifiers,
    encode: encodeUcs2,
    kept: (node) => node.keptNames?.joliet,
    // Joliet has files and directories only: symlinks, devices, fifos and sockets are Rock Ridge things, and
    // xorriso leaves them out of the Joliet tree ("Symlinks can only be added to a Rock Ridge tree") rather
    // than show them as empty files (as genisoimage does) that a Joliet reader would take for real ones.
    records: (node) => node.kind === 'file' || node.kind === 'directory',
  };
}

/** The relocation directory (RRIP 4.1.5): a plain directory at the root with the root's owner and times. */
function relocationDirectoryNode(root: AuthoringNode, name: string, children: AuthoringNode[]): AuthoringNode {
  return {
    ...root,
    // genisoimage's Rock Ridge name of the folder, which libarchive recognises and hides.
    name: name.toLowerCase(),
    mode: modeTypeBits.directory | 0o755,
    children,
    keptNames: { iso9660: name.toUpperCase(), joliet: name },
    origin: `${root.origin} (relocation directory ${name})`,
  };
}

/** The path of `name` in the directory at `directoryPath`. */
function childPathOf(directoryPath: string, name: string): string {
  return `${directoryPath === '/' ? '' : directoryPath}/${name}`;
}

/**
 * A NamespaceEntry that makes its identifier bytes and its path when asked instead of holding them:
 * an image of 50,000 files holds 100,000 entries from naming to rendering (17 MB of identifiers and
 * 6 MB of paths when held).
 */
class NamedEntry implements NamespaceEntry {
  systemUse: PlannedSystemUse | null = null;
  constructor(
    readonly node: AuthoringNode,
    /** The path of the directory in the source tree, or the entry's own path when it was relocated. */
    private readonly directoryOrOwnPath: string,
    private readonly isOwnPath: boolean,
    readonly recordedAs: string,
    readonly directory: NamespaceDirectory | null,
    readonly relocation: 'child-link' | 'relocated' | null,
    private readonly encode: (identifier: string) => Uint8Array,
  ) {}

  get identifier(): Uint8Array {
    return this.encode(this.recordedAs);
  }

  get path(): string {
    return this.isOwnPath ? this.directoryOrOwnPath : childPathOf(this.directoryOrOwnPath, this.node.name);
  }
}

class NamespaceBuilder {
  readonly directoryOf = new Map<AuthoringNode, NamespaceDirectory>();
  readonly relocated: { originalPath: string; recordedPath: string }[] = [];
  /** The synthetic RR_MOVED node, and each relocated directory's parent in the source tree. */
  relocationDirectory: AuthoringNode | null = null;
  readonly originalParents = new Map<AuthoringNode, AuthoringNode>();
  private visited = 0;
  constructor(
    private readonly rules: NamespaceRules,
    private readonly relocatedNodes: ReadonlyMap<AuthoringNode, string>,
    private readonly keepPlaceholders: boolean,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** The directory `node` at `path`, its entries named and sorted, its subdirectories built below it. */
  build(
    node: AuthoringNode,
    path: string,
    identifier: Uint8Array,
    parent: NamespaceDirectory | null,
    originalParentNode: AuthoringNode | null,
    extra: AuthoringNode | null,
  ): NamespaceDirectory {
    const directory: NamespaceDirectory = {
      node,
      path,
      identifier,
      parent: null as unknown as NamespaceDirectory,
      originalParentNode,
      entries: [],
      selfSystemUse: null,
      parentSystemUse: null,
      number: 0,
      extentLba: 0,
      sectorCount: 0,
    };
    directory.parent = parent ?? directory;
    this.directoryOf.set(node, directory);
    const children: { node: AuthoringNode; placeholder: boolean }[] = [];
    for (const child of node.children ?? []) {
      if (!this.rules.records(child)) continue;
      const isRelocated = this.relocatedNodes.has(child) && !this.isRelocationDirectory(node);
      if (isRelocated && !this.keepPlaceholders) continue;
      children.push({ node: child, placeholder: isRelocated });
    }
    if (extra) children.push({ node: extra, placeholder: false });
    const names = this.rules.names(
      children.map(({ node: child, placeholder }) => {
        const kept = this.rules.kept(child);
        // A placeholder is a file record (RRIP 4.1.5.1), so it takes a file identifier ('NAME.;1').
        return { name: child.name, isDirectory: child.kind === 'directory' && !placeholder, ...(kept !== undefined && !placeholder ? { kept } : {}) };
      }),
    );
    children.forEach(({ node: child, placeholder }, index) => {
      if (++this.visited % nodesBetweenCancelChecks === 0) throwIfCancelled(this.signal, 'planning the image');
      const recordedAs = names[index]!;
      const inRelocationDirectory = this.isRelocationDirectory(node);
      const relocatedPath = inRelocationDirectory ? this.relocatedNodes.get(child)! : null;
      // The relocation folder as written: its kept name ('RR_MOVED_1') may itself be fitted to the level (8.3 at level 1).
      if (relocatedPath !== null) this.relocated.push({ originalPath: relocatedPath, recordedPath: `/${asciiText(identifier)}/${recordedAs}` });
      const subdirectory =
        child.kind === 'directory' && !placeholder
          ? this.build(
              child,
              relocatedPath ?? childPathOf(path, child.name),
              this.rules.encode(recordedAs),
              directory,
              inRelocationDirectory ? this.originalParentOf(child) : null,
              null,
            )
          : null;
      const relocation = placeholder ? 'child-link' : inRelocationDirectory && this.keepPlaceholders ? 'relocated' : null;
      directory.entries.push(new NamedEntry(child, relocatedPath ?? path, relocatedPath !== null, recordedAs, subdirectory, relocation, this.rules.encode));
    });
    directory.entries.sort((a, b) => this.rules.compare(a.recordedAs, b.recordedAs));
    return directory;
  }

  private isRelocationDirectory(node: AuthoringNode): boolean {
    return node === this.relocationDirectory;
  }
  private originalParentOf(node: AuthoringNode): AuthoringNode | null {
    return this.originalParents.get(node) ?? null;
  }
}

/** Path table order: breadth first over the identifier-sorted entries (ECMA-119 6.9.1), numbered from 1. */
function inPathTableOrder(root: NamespaceDirectory): NamespaceDirectory[] {
  const order: NamespaceDirectory[] = [root];
  for (let index = 0; index < order.length; index += 1) {
    const directory = order[index]!;
    directory.number = index + 1;
    for (const entry of directory.entries) if (entry.directory && entry.relocation !== 'child-link') order.push(entry.directory);
  }
  const unnumberable = order.find((directory) => directory.parent.number > maxPathTableParentNumber);
  if (unnumberable) {
    throw new CodedError(
      'unsupported',
      `${unnumberable.path} lies in directory number ${unnumberable.parent.number} of ${order.length}; an ISO 9660 path table names parents up to number ${maxPathTableParentNumber} only`,
    );
  }
  return order;
}

/**
 * The ISO 9660 hierarchy: names fitted to `level`. At level 1, the strict interchange level, directories
 * deeper than ECMA-119 6.8.2.1's 8 levels move to RR_MOVED, as genisoimage moves them: with Rock Ridge
 * each leaves a placeholder (CL) where it was and carries RE in RR_MOVED (which Rock Ridge readers show
 * as 'rr_moved', and bsdtar hides by that name); without, it just sits in RR_MOVED. At levels 2 and 3
 * the hierarchy stays as deep as the source's, as xorriso -as mkisofs writes it: every reader here
 * (Linux, our reader, pycdlib, xorriso, isoinfo, 7-Zip, bsdtar) reads it, and Rock Ridge readers see
 * no RR_MOVED at all.
 */
export function buildIsoNamespace(root: AuthoringNode, options: { level: IsoLevel; rockRidge: boolean; signal?: AbortSignal | undefined }): NamespaceTree {
  const { relocations, movedName } = options.level === 1 ? planRelocations(root) : { relocations: [], movedName: '' };
  const relocatedNodes = new Map(relocations.map((relocation) => [relocation.directory, relocation.originalPath]));
  const builder = new NamespaceBuilder(isoRules(options.level), relocatedNodes, options.rockRidge, options.signal);
  let extra: AuthoringNode | null = null;
  if (relocations.length > 0) {
    extra = relocationDirectoryNode(
      root,
      movedName,
      relocations.map((relocation) => relocation.directory),
    );
    builder.relocationDirectory = extra;
    for (const relocation of relocations) builder.originalParents.set(relocation.directory, relocation.originalParent);
  }
  const top = builder.build(root, '/', Uint8Array.of(0), null, null, extra);
  return { kind: 'iso9660', root: top, directories: inPathTableOrder(top), directoryOf: builder.directoryOf, relocated: builder.relocated };
}

/** The Joliet hierarchy: the source's own (Joliet has no depth limit of its own that readers enforce), UCS-2 names. */
export function buildJolietNamespace(root: AuthoringNode, options: { long: boolean; signal?: AbortSignal | undefined }): NamespaceTree {
  const builder = new NamespaceBuilder(jolietRules(options.long), new Map(), false, options.signal);
  const top = builder.build(root, '/', Uint8Array.of(0), null, null, null);
  return { kind: 'joliet', root: top, directories: inPathTableOrder(top), directoryOf: builder.directoryOf, relocated: [] };
}
