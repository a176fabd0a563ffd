// What every oracle adapter answers: the image's tree in one namespace, in the comparable shape of
// tree-entry.ts, and which fields it can read there (the comparison checks exactly those).
import { execFileSync } from 'node:child_process';
import type { TreeEntry } from '../tree-entry.ts';

export type Namespace = 'rockridge' | 'joliet' | 'iso9660' | 'udf';
/** 'permissionBits': the mode's rwx bits only (mode & 0o777), for a tool that shows no others. */
/** 'linkTargetWithoutSlashes': the target with every '/' removed, for a tool that loses some of them. */
export type EntryField = 'sizeBytes' | 'sha256' | 'mode' | 'permissionBits' | 'uid' | 'gid' | 'mtimeS' | 'linkTarget' | 'linkTargetWithoutSlashes' | 'device';

/** An oracle's listing: names as the tool shows them (Joliet and ISO 9660 names with their ';1' removed). */
export interface OracleListing {
  readonly entries: readonly OracleEntry[];
  /** The fields this oracle read for this namespace (besides path and kind). */
  readonly fields: readonly EntryField[];
  /** Raw identifiers as recorded (ISO 9660 'NAME.EXT;1'), where the tool shows them, for validity checks. */
  readonly rawNames?: readonly string[];
}

export interface OracleEntry extends TreeEntry {
  /** First LBA of a file's data, where the tool tells (hard links share it). */
  extentLba?: number;
}

export interface OracleReadOptions {
  /** Read every file's bytes for SHA-256 (off for the 4.5 GiB tree, where only the cheap tools read it). */
  readonly content: boolean;
  /** A scratch folder the oracle may extract into (removed by the caller). */
  readonly scratchDir: string;
}

export interface Oracle {
  readonly name: string;
  readonly namespaces: readonly Namespace[];
  /** Reads only by extracting every byte: sits out the trees read without content (the 4.5 GiB one). */
  readonly needsContent?: true;
  read(imagePath: string, namespace: Namespace, options: OracleReadOptions): Promise<OracleListing>;
}

/** Runs a tool, failing with its stderr; large outputs (50,000 entries) allowed. */
export function runOracleTool(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024 * 1024,
  });
}

/** An ISO 9660 / Joliet identifier without its version (';1') and the '.' of an empty extension (ECMA-119 7.5.1). */
export function withoutVersion(name: string): string {
  const bare = name.replace(/;\d*$/, '');
  return bare.endsWith('.') && bare.length > 1 && name !== bare ? bare.slice(0, -1) : bare;
}

/** ls -l's type letter (isoinfo writes 'f' for a fifo where ls writes 'p'). */
export function kindOfTypeLetter(letter: string): TreeEntry['kind'] {
  const kinds: Record<string, TreeEntry['kind']> = {
    '-': 'file',
    d: 'directory',
    l: 'symlink',
    b: 'block-device',
    c: 'character-device',
    p: 'fifo',
    f: 'fifo',
    s: 'socket',
  };
  const kind = kinds[letter];
  if (!kind) throw new Error(`unknown file type letter '${letter}'`);
  return kind;
}

/** The permission bits of an ls -l mode string ('-rwsr-x--T' -> 0o4754 | sticky). */
export function modeOfPermissionString(permissions: string): number {
  let mode = 0;
  const bit = (index: number, value: number, specials = ''): void => {
    const char = permissions[index] as string;
    if (char !== '-' && !specials.includes(char.toUpperCase())) mode |= value;
  };
  for (let group = 0; group < 3; group += 1) {
    bit(1 + group * 3, 0o400 >> (group * 3));
    bit(2 + group * 3, 0o200 >> (group * 3));
    const exec = permissions[3 + group * 3] as string;
    if (exec === 'x' || exec === 's' || exec === 't') mode |= 0o100 >> (group * 3);
    if (exec === 's' || exec === 'S') mode |= group === 0 ? 0o4000 : 0o2000;
    if (exec === 't' || exec === 'T') mode |= 0o1000;
  }
  return mode;
}
