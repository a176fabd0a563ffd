// The tree a new image is made of (issue 15), whatever it came from: folders on disk (authoring/
// source-tree.ts) or a remastered image's files (authoring/remaster-tree.ts). Every writer of a
// namespace (iso/ ISO 9660, Joliet and Rock Ridge; udf/ the UDF bridge) names and records the same
// nodes, and every file's data is laid out once and shared by all of them.
import type { ByteSource } from '../io/byte-source.ts';

export type AuthoringKind = 'file' | 'directory' | 'symlink' | 'block-device' | 'character-device' | 'fifo' | 'socket';

export interface AuthoringNode {
  /** One path component as the source names it (Unicode, never '', '.', '..', and never holding '/' or NUL). */
  readonly name: string;
  readonly kind: AuthoringKind;
  /** POSIX st_mode: the type bits (S_IFREG 0o100000, S_IFDIR 0o040000, ...) and the permission bits. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly modifiedMs: number;
  readonly accessedMs: number;
  /** Attribute change time (st_ctime). */
  readonly changedMs: number;
  /** Files: the data's size; 0 for everything else. */
  readonly sizeBytes: number;
  /** Files: exactly sizeBytes of data, read once while the image is written; null for everything else. */
  readonly content: ByteSource | null;
  /**
   * Files that are hard links of one another carry the same key (`dev:ino` on disk, the shared
   * extent in a remastered image): their data is laid out once and every name points at it.
   */
  readonly hardLinkKey: string | null;
  /** Symlinks: the target as recorded (relative or absolute); null for everything else. */
  readonly linkTarget: string | null;
  /** Block and character devices: the device number. */
  readonly device: { readonly major: number; readonly minor: number } | null;
  /** ECMA-119 9.1.6 bit 0 (existence), UDF's hidden characteristic: kept from a remastered image. */
  readonly hidden: boolean;
  /** Directories: the entries, in any order (each namespace sorts its own); null for everything else. */
  readonly children: AuthoringNode[] | null;
  /** A remastered image's names for this node, kept for untouched files when they are still valid and unique. */
  readonly keptNames: { readonly iso9660?: string; readonly joliet?: string } | null;
  /** Where the node came from, for error messages: '/home/ana/tree/boot/x' or 'debian.iso:/boot/x'. */
  readonly origin: string;
}

/** POSIX st_mode type bits (sys/stat.h). */
export const modeTypeBits = {
  mask: 0o170000,
  socket: 0o140000,
  symlink: 0o120000,
  file: 0o100000,
  blockDevice: 0o060000,
  directory: 0o040000,
  characterDevice: 0o020000,
  fifo: 0o010000,
} as const;

/**
 * A folder the image makes itself, with no folder on disk behind it (the root when only files are
 * given, a folder an edit's path needs): 0755, owned by root (0:0), all three times `timeMs`.
 */
export function madeFolderNode(folder: { name: string; timeMs: number; children: AuthoringNode[]; origin: string }): AuthoringNode {
  return {
    name: folder.name,
    kind: 'directory',
    mode: modeTypeBits.directory | 0o755,
    uid: 0,
    gid: 0,
    modifiedMs: folder.timeMs,
    accessedMs: folder.timeMs,
    changedMs: folder.timeMs,
    sizeBytes: 0,
    content: null,
    hardLinkKey: null,
    linkTarget: null,
    device: null,
    hidden: false,
    children: folder.children,
    keptNames: null,
    origin: folder.origin,
  };
}

/** The node at an absolute path ('/boot/grub/efi.img') below `root`, or null. Names compare exactly. */
export function findAuthoringNode(root: AuthoringNode, path: string): AuthoringNode | null {
  let node: AuthoringNode = root;
  for (const name of path.split('/').filter((part) => part !== '')) {
    const next = node.children?.find((child) => child.name === name);
    if (!next) return null;
    node = next;
  }
  return node;
}
