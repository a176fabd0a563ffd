// Hand-made authoring trees for the composer's tests: nodes with in-memory content, options with the
// defaults `isotope create` gives, and a plain streaming write of a planned image to a file (the job's
// writer, write-iso-file.ts, is tested on its own).
import { mkdtempSync, openSync, closeSync, writeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthoringNode } from '../../src-main/format/authoring-tree.ts';
import { modeTypeBits } from '../../src-main/format/authoring-tree.ts';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { onTestFinished } from 'vitest';
import type { BootImageSpec, IsoAuthoringOptions, PlannedIso } from '../../src-main/authoring/iso-authoring.ts';
import { planIso } from '../../src-main/authoring/plan-iso.ts';

/** 2024-06-15 12:30:00 UTC, a time every field can hold. */
export const fixedTimeMs = Date.UTC(2024, 5, 15, 12, 30, 0);

/** The BIOS entry of an isolinux tree, as mkisofs -b isolinux/isolinux.bin -no-emul-boot -boot-info-table gives it. */
export const isolinuxBiosEntry: BootImageSpec = {
  platformId: 0,
  mediaType: 0,
  loadSegment: 0,
  systemType: 0,
  loadSectorCount: null,
  bootInfoTable: true,
  image: { path: '/isolinux/isolinux.bin' },
  partition: false,
};

const baseNode = {
  uid: 1000,
  gid: 1000,
  modifiedMs: fixedTimeMs,
  accessedMs: fixedTimeMs,
  changedMs: fixedTimeMs,
  hardLinkKey: null,
  linkTarget: null,
  device: null,
  hidden: false,
  keptNames: null,
} as const;

export function fileNode(name: string, content: Uint8Array | string | ByteSource, overrides: Partial<AuthoringNode> = {}): AuthoringNode {
  const source =
    typeof content === 'string'
      ? createMemorySource(new TextEncoder().encode(content), name)
      : content instanceof Uint8Array
        ? createMemorySource(content, name)
        : content;
  return {
    ...baseNode,
    name,
    kind: 'file',
    mode: modeTypeBits.file | 0o644,
    sizeBytes: source.sizeBytes,
    content: source,
    children: null,
    origin: `/test/${name}`,
    ...overrides,
  };
}

export function directoryNode(name: string, children: AuthoringNode[], overrides: Partial<AuthoringNode> = {}): AuthoringNode {
  return {
    ...baseNode,
    name,
    kind: 'directory',
    mode: modeTypeBits.directory | 0o755,
    sizeBytes: 0,
    content: null,
    children,
    origin: `/test/${name}`,
    ...overrides,
  };
}

export function symlinkNode(name: string, target: string): AuthoringNode {
  return {
    ...baseNode,
    name,
    kind: 'symlink',
    mode: modeTypeBits.symlink | 0o777,
    sizeBytes: 0,
    content: null,
    children: null,
    linkTarget: target,
    origin: `/test/${name}`,
  };
}

/** A source of `sizeBytes` zeros that allocates only what is read (sparse multi-GiB files). */
export function zeroSource(sizeBytes: number, name = 'zeros'): ByteSource {
  return {
    name,
    sizeBytes,
    read: (_offsetBytes, lengthBytes) => Promise.resolve(new Uint8Array(lengthBytes)),
    close: () => Promise.resolve(),
  };
}

export function authoringOptions(root: AuthoringNode, overrides: Partial<IsoAuthoringOptions> = {}): IsoAuthoringOptions {
  return {
    root,
    level: 3,
    rockRidge: false,
    joliet: false,
    jolietLong: false,
    udf: false,
    ids: { volume: 'TEST_VOLUME', volumeSet: '', publisher: 'ISOTOPE TESTS', preparer: '', application: 'ISOTOPE', system: 'LINUX' },
    recordedMs: fixedTimeMs,
    fixedFileTimesMs: null,
    identitySeed: 'test-seed',
    boot: { entries: [], hybrid: null },
    bootDetected: [],
    warnings: [],
    ...overrides,
  };
}

/** Plans an image and writes it to a temporary file that is removed when the running test ends: its path. */
export async function writeIsoForTest(...args: Parameters<typeof planIso>): Promise<string> {
  const written = await writePlannedIso(await planIso(...args));
  onTestFinished(written.remove);
  return written.path;
}

/** Streams the planned image to a new file in a temporary folder; answers its path and a cleanup. */
export async function writePlannedIso(planned: PlannedIso, name = 'out.iso'): Promise<{ path: string; remove(): void }> {
  const folder = mkdtempSync(join(tmpdir(), 'isotope-plan-iso-'));
  const path = join(folder, name);
  const descriptor = openSync(path, 'w');
  try {
    const chunkBytes = 4 * 1024 * 1024;
    for (let offsetBytes = 0; offsetBytes < planned.source.sizeBytes; offsetBytes += chunkBytes) {
      const chunk = await planned.source.read(offsetBytes, Math.min(chunkBytes, planned.source.sizeBytes - offsetBytes));
      writeSync(descriptor, chunk, 0, chunk.byteLength, offsetBytes);
    }
  } finally {
    closeSync(descriptor);
  }
  return { path, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
