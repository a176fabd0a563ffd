// Test helpers for the UDF bridge writer before the ISO composer places it: authoring trees built in
// memory, and a UDF-only image composed around planUdfBridge the way the composer will (recognition
// sequence at 16, anchors at 256 and the last sector, both sequences and the integrity sequence after
// 256, the partition from there: the file set, then each file's data once, sector aligned).
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { modeTypeBits, type AuthoringKind, type AuthoringNode } from '../../../src-main/format/authoring-tree.ts';
import type { ByteSource } from '../../../src-main/io/byte-source.ts';
import { composeSource, type ComposedPiece } from '../../../src-main/io/composed-source.ts';
import { createMemorySource } from '../../../src-main/io/memory-source.ts';
import { planUdfBridge, type UdfBridgeInput, type UdfBridgePlan } from '../../../src-main/udf/udf-bridge-writer.ts';

const sectorBytes = 2048;
/** A fixed time (a multiple of 10 ms: UDF timestamps keep centiseconds). */
export const treeTimeMs = Date.UTC(2024, 4, 17, 8, 30, 12, 340);

type NodeOptions = Partial<Omit<AuthoringNode, 'name' | 'kind' | 'children' | 'content' | 'sizeBytes'>>;

function node(name: string, kind: AuthoringKind, typeBits: number, options: NodeOptions & { permissions?: number }): AuthoringNode {
  const { permissions = kind === 'directory' ? 0o755 : 0o644, ...rest } = options;
  return {
    name,
    kind,
    mode: typeBits | permissions,
    uid: 1000,
    gid: 1000,
    modifiedMs: treeTimeMs,
    accessedMs: treeTimeMs + 1000,
    changedMs: treeTimeMs + 2000,
    sizeBytes: 0,
    content: null,
    hardLinkKey: null,
    linkTarget: null,
    device: null,
    hidden: false,
    children: null,
    keptNames: null,
    origin: `/test/${name}`,
    ...rest,
  };
}

export function fileNode(name: string, content: Uint8Array | ByteSource, options: NodeOptions & { permissions?: number } = {}): AuthoringNode {
  const source = content instanceof Uint8Array ? createMemorySource(content, name) : content;
  return { ...node(name, 'file', modeTypeBits.file, options), sizeBytes: source.sizeBytes, content: source };
}

export function directoryNode(name: string, children: AuthoringNode[], options: NodeOptions & { permissions?: number } = {}): AuthoringNode {
  return { ...node(name, 'directory', modeTypeBits.directory, options), children };
}

export function symlinkNode(name: string, target: string): AuthoringNode {
  return node(name, 'symlink', modeTypeBits.symlink, { permissions: 0o777, linkTarget: target });
}

export function specialNode(name: string, kind: 'fifo' | 'socket' | 'block-device' | 'character-device', options: NodeOptions = {}): AuthoringNode {
  const bits = {
    fifo: modeTypeBits.fifo,
    socket: modeTypeBits.socket,
    'block-device': modeTypeBits.blockDevice,
    'character-device': modeTypeBits.characterDevice,
  };
  return node(name, kind, bits[kind], options);
}

/** A source of `sizeBytes` zeros that holds no memory (a composed source with no pieces). */
export function zerosSource(sizeBytes: number): ByteSource {
  return composeSource('zeros', sizeBytes, []);
}

export interface UdfOnlyImage {
  readonly source: ByteSource;
  readonly plan: UdfBridgePlan;
  readonly pieces: readonly ComposedPiece[];
  readonly partitionStartLba: number;
  readonly fileSetLba: number;
  /** Where each file's data was placed (hard links once). */
  readonly dataLba: ReadonlyMap<AuthoringNode, number>;
}

/** Every file of the tree once per hard-link key, in walk order. */
function filesWithData(root: AuthoringNode): AuthoringNode[] {
  const files: AuthoringNode[] = [];
  const seenKeys = new Set<string>();
  const stack = [root];
  for (let next = stack.pop(); next; next = stack.pop()) {
    for (const child of next.children ?? []) {
      if (child.kind === 'directory') stack.push(child);
      else if (child.kind === 'file' && (child.hardLinkKey === null || !seenKeys.has(child.hardLinkKey))) {
        if (child.hardLinkKey !== null) seenKeys.add(child.hardLinkKey);
        files.push(child);
      }
    }
  }
  return files;
}

export function composeUdfOnlyImage(root: AuthoringNode, input: Partial<Omit<UdfBridgeInput, 'root'>> = {}): UdfOnlyImage {
  const plan = planUdfBridge({ root, volumeIdentifier: 'ISOTOPE_UDF', recordedMs: treeTimeMs, fixedFileTimesMs: null, identitySeed: 'test seed', ...input });
  const mainSequenceLba = 257;
  const reserveSequenceLba = mainSequenceLba + plan.sequenceSectors;
  const integrityLba = reserveSequenceLba + plan.sequenceSectors;
  const partitionStartLba = integrityLba + plan.integritySectors;
  const fileSetLba = partitionStartLba;
  let nextLba = fileSetLba + plan.fileSetSectors;
  const dataLba = new Map<AuthoringNode, number>();
  const byKey = new Map<string, number>();
  const pieces: ComposedPiece[] = [];
  for (const file of filesWithData(root)) {
    dataLba.set(file, nextLba);
    if (file.hardLinkKey !== null) byKey.set(file.hardLinkKey, nextLba);
    if (file.sizeBytes > 0 && file.content)
      pieces.push({ offsetBytes: nextLba * sectorBytes, lengthBytes: file.sizeBytes, source: file.content, sourceOffsetBytes: 0 });
    nextLba += Math.ceil(file.sizeBytes / sectorBytes);
  }
  const volumeSectorCount = nextLba + 1;
  const rendered = plan.render({
    volumeSectorCount,
    mainSequenceLba,
    reserveSequenceLba,
    integrityLba,
    partitionStartLba,
    fileSetLba,
    extentsOf(file) {
      const lba = dataLba.get(file) ?? (file.hardLinkKey === null ? undefined : byKey.get(file.hardLinkKey));
      if (lba === undefined) throw new Error(`test layout: ${file.origin} was not placed`);
      return file.sizeBytes === 0 ? [] : [{ lba, sizeBytes: file.sizeBytes }];
    },
  });
  const at = (lba: number): number => lba * sectorBytes;
  pieces.push(
    { offsetBytes: at(16), bytes: plan.renderRecognitionSequence() },
    { offsetBytes: at(256), bytes: rendered.anchor },
    { offsetBytes: at(mainSequenceLba), bytes: rendered.mainSequence },
    { offsetBytes: at(reserveSequenceLba), bytes: rendered.reserveSequence },
    { offsetBytes: at(integrityLba), bytes: rendered.integrity },
    { offsetBytes: at(fileSetLba), lengthBytes: rendered.fileSet.sizeBytes, source: rendered.fileSet, sourceOffsetBytes: 0 },
    { offsetBytes: at(volumeSectorCount - 1), bytes: rendered.closingAnchor },
  );
  return { source: composeSource('udf-only image', at(volumeSectorCount), pieces), plan, pieces, partitionStartLba, fileSetLba, dataLba };
}

/** Writes the image to `path`, leaving runs of zeros as holes (a sparse file: a 1 GiB file of zeros costs no disk). */
export async function writeSparseImage(image: UdfOnlyImage, path: string): Promise<void> {
  const descriptor = openSync(path, 'w');
  try {
    ftruncateSync(descriptor, image.source.sizeBytes);
    const chunkBytes = 4 * 1024 * 1024;
    const zeros = Buffer.alloc(chunkBytes);
    for (const piece of image.pieces) {
      if ('bytes' in piece) {
        writeSync(descriptor, piece.bytes, 0, piece.bytes.byteLength, piece.offsetBytes);
        continue;
      }
      for (let done = 0; done < piece.lengthBytes; done += chunkBytes) {
        const chunk = await piece.source.read(piece.sourceOffsetBytes + done, Math.min(chunkBytes, piece.lengthBytes - done));
        const allZero = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).equals(zeros.subarray(0, chunk.byteLength));
        if (!allZero) writeSync(descriptor, chunk, 0, chunk.byteLength, piece.offsetBytes + done);
      }
    }
  } finally {
    closeSync(descriptor);
  }
}
