// Builds small ISO 9660 images byte by byte for tests that real tools refuse to make: hostile
// images (loops, bad pointers, traversal names) and seeds for the mutation sweep. Layout: system area,
// PVD at 16, optional Joliet SVD at 17, terminator, then whatever sectors the test places.

export const sector = 2048;

export function bothEndian32(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, value, true);
  view.setUint32(4, value, false);
  return bytes;
}

export function bothEndian16(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, value, true);
  view.setUint16(2, value, false);
  return bytes;
}

export interface RecordSpec {
  /** Identifier bytes (use "\0" for ".", "\x01" for ".."). */
  readonly identifier: string | Uint8Array;
  readonly lba: number;
  readonly sizeBytes: number;
  readonly flags?: number;
  readonly systemUse?: Uint8Array;
  /** Overrides the big-endian half of the extent location (LE/BE disagreement). */
  readonly bigEndianLba?: number;
  /** Overrides the record length byte. */
  readonly lengthOverride?: number;
  readonly extendedAttributeBlocks?: number;
}

export function directoryRecord(spec: RecordSpec): Uint8Array {
  const identifier = typeof spec.identifier === 'string' ? Uint8Array.from(spec.identifier, (c) => c.charCodeAt(0) & 0xff) : spec.identifier;
  const padding = identifier.byteLength % 2 === 0 ? 1 : 0;
  const systemUse = spec.systemUse ?? new Uint8Array(0);
  let length = 33 + identifier.byteLength + padding + systemUse.byteLength;
  if (length % 2 === 1) length += 1;
  const record = new Uint8Array(length);
  record[0] = spec.lengthOverride ?? length;
  record[1] = spec.extendedAttributeBlocks ?? 0;
  record.set(bothEndian32(spec.lba), 2);
  if (spec.bigEndianLba !== undefined) new DataView(record.buffer).setUint32(6, spec.bigEndianLba, false);
  record.set(bothEndian32(spec.sizeBytes), 10);
  record.set([124, 6, 15, 12, 30, 0, 4], 18); // 2024-06-15 12:30:00 +01:00
  record[25] = spec.flags ?? 0;
  record.set(bothEndian16(1), 28);
  record[32] = identifier.byteLength;
  record.set(identifier, 33);
  record.set(systemUse, 33 + identifier.byteLength + padding);
  return record;
}

/** A directory extent: "." and ".." then the records, each sector padded (ECMA-119 6.8.1.1). */
export function directoryExtent(options: {
  selfLba: number;
  parentLba: number;
  sectors?: number;
  selfSystemUse?: Uint8Array;
  records: readonly Uint8Array[];
}): Uint8Array {
  const sectors = options.sectors ?? 1;
  const extent = new Uint8Array(sectors * sector);
  const all = [
    directoryRecord({
      identifier: '\0',
      lba: options.selfLba,
      sizeBytes: sectors * sector,
      flags: 2,
      ...(options.selfSystemUse ? { systemUse: options.selfSystemUse } : {}),
    }),
    directoryRecord({ identifier: '\x01', lba: options.parentLba, sizeBytes: sector, flags: 2 }),
    ...options.records,
  ];
  let at = 0;
  for (const record of all) {
    const sectorEnd = (Math.floor(at / sector) + 1) * sector;
    if (at + record.byteLength > sectorEnd) at = sectorEnd;
    extent.set(record, at);
    at += record.byteLength;
  }
  return extent;
}

/** SUSP / RRIP entry: signature, length, version 1, payload. */
export function suspEntry(signature: string, payload: Uint8Array | number[]): Uint8Array {
  const body = payload instanceof Uint8Array ? payload : Uint8Array.from(payload);
  const entry = new Uint8Array(4 + body.byteLength);
  entry[0] = signature.charCodeAt(0);
  entry[1] = signature.charCodeAt(1);
  entry[2] = entry.byteLength;
  entry[3] = 1;
  entry.set(body, 4);
  return entry;
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

export const rr = {
  sp: (): Uint8Array => suspEntry('SP', [0xbe, 0xef, 0]),
  er: (): Uint8Array => {
    const id = 'RRIP_1991A';
    return suspEntry('ER', [id.length, 0, 0, 1, ...Array.from(id, (c) => c.charCodeAt(0))]);
  },
  px: (mode: number): Uint8Array => suspEntry('PX', concat(bothEndian32(mode), bothEndian32(1), bothEndian32(0), bothEndian32(0))),
  nm: (name: string | Uint8Array, flags = 0): Uint8Array =>
    suspEntry('NM', concat(Uint8Array.of(flags), typeof name === 'string' ? new TextEncoder().encode(name) : name)),
  sl: (components: { flags?: number; text?: string }[], flags = 0): Uint8Array => {
    const parts = components.map((component) => {
      const text = new TextEncoder().encode(component.text ?? '');
      return concat(Uint8Array.of(component.flags ?? 0, text.byteLength), text);
    });
    return suspEntry('SL', concat(Uint8Array.of(flags), ...parts));
  },
  ce: (lba: number, offset: number, length: number): Uint8Array => suspEntry('CE', concat(bothEndian32(lba), bothEndian32(offset), bothEndian32(length))),
  cl: (lba: number): Uint8Array => suspEntry('CL', bothEndian32(lba)),
  pl: (lba: number): Uint8Array => suspEntry('PL', bothEndian32(lba)),
  re: (): Uint8Array => suspEntry('RE', []),
  zf: (uncompressedBytes: number, blockLog2 = 15): Uint8Array =>
    suspEntry('ZF', concat(Uint8Array.of(0x70, 0x7a, 4, blockLog2), bothEndian32(uncompressedBytes))),
};

export interface IsoSpec {
  /** Total sectors of the image. */
  readonly sectorCount: number;
  readonly rootLba: number;
  readonly rootSizeBytes?: number;
  /** Joliet root (adds an SVD with escape %/E at sector 17). */
  readonly jolietRootLba?: number;
  /** Bytes placed at absolute sector numbers. */
  readonly sectors: ReadonlyMap<number, Uint8Array>;
  /** Edits applied to the finished PVD sector (hostile descriptors). */
  readonly editPrimary?: (pvd: Uint8Array) => void;
  readonly omitTerminator?: boolean;
}

function volumeDescriptor(type: number, spec: IsoSpec, rootLba: number, joliet: boolean): Uint8Array {
  const vd = new Uint8Array(sector);
  vd[0] = type;
  vd.set([0x43, 0x44, 0x30, 0x30, 0x31], 1);
  vd[6] = 1;
  const label = joliet ? 'TEST' : 'HOSTILE';
  for (let index = 0; index < 32; index += 1) {
    if (joliet) {
      const code = index < label.length * 2 ? (index % 2 === 0 ? 0 : label.charCodeAt(index / 2 - 0.5)) : index % 2 === 0 ? 0 : 0x20;
      vd[40 + index] = index % 2 === 0 ? 0 : code;
    } else vd[40 + index] = index < label.length ? label.charCodeAt(index) : 0x20;
  }
  vd.set(bothEndian32(spec.sectorCount), 80);
  if (joliet) vd.set([0x25, 0x2f, 0x45], 88);
  vd.set(bothEndian16(1), 120);
  vd.set(bothEndian16(1), 124);
  vd.set(bothEndian16(sector), 128);
  vd.set(directoryRecord({ identifier: '\0', lba: rootLba, sizeBytes: spec.rootSizeBytes ?? sector, flags: 2 }), 156);
  vd.set(new TextEncoder().encode('2024061512300000'), 813);
  vd[829] = 4;
  vd[881] = 1;
  return vd;
}

export function buildIso(spec: IsoSpec): Uint8Array {
  const image = new Uint8Array(spec.sectorCount * sector);
  const primary = volumeDescriptor(1, spec, spec.rootLba, false);
  spec.editPrimary?.(primary);
  image.set(primary, 16 * sector);
  let next = 17;
  if (spec.jolietRootLba !== undefined) {
    image.set(volumeDescriptor(2, spec, spec.jolietRootLba, true), next * sector);
    next += 1;
  }
  if (!spec.omitTerminator) {
    image.set([255, 0x43, 0x44, 0x30, 0x30, 0x31, 1], next * sector);
  }
  for (const [lba, bytes] of spec.sectors) image.set(bytes.subarray(0, Math.max(0, image.byteLength - lba * sector)), lba * sector);
  return image;
}

/** Root "." system use that turns Rock Ridge on: SP then ER. */
export function rockRidgeRootSystemUse(): Uint8Array {
  return concat(rr.sp(), rr.er());
}

/**
 * A small well-formed Rock Ridge image used as a seed and as a base for hostile edits:
 * root (lba 20) holds hello.txt (lba 30), a folder "sub" (lba 21) holding a symlink, a file with a
 * CE-continued name (continuation area at lba 22), a multi-extent file (lba 31-32) and a zisofs file
 * (lba 33+).
 */
export function buildSeedIso(zisofsFile?: { stored: Uint8Array; uncompressedBytes: number }): Uint8Array {
  const hello = new TextEncoder().encode('hello, world\n');
  const continuation = rr.nm('-continued-in-a-CE-area.txt');
  const zisofsStored = zisofsFile?.stored ?? new Uint8Array(0);
  const zisofsSectors = Math.ceil(zisofsStored.byteLength / sector);
  const sub = directoryExtent({
    selfLba: 21,
    parentLba: 20,
    records: [
      directoryRecord({
        identifier: 'LINK.;1',
        lba: 0,
        sizeBytes: 0,
        systemUse: concat(rr.px(0o120777), rr.nm('link'), rr.sl([{ text: '..' }, { text: 'hello.txt' }])),
      }),
      directoryRecord({
        identifier: 'LONG.TXT;1',
        lba: 30,
        sizeBytes: hello.byteLength,
        systemUse: concat(rr.px(0o100644), rr.nm('a-name', 1), rr.ce(22, 0, continuation.byteLength)),
      }),
    ],
  });
  const records = [
    directoryRecord({ identifier: 'HELLO.TXT;1', lba: 30, sizeBytes: hello.byteLength, systemUse: concat(rr.px(0o100644), rr.nm('hello.txt')) }),
    directoryRecord({ identifier: 'MULTI.BIN;1', lba: 31, sizeBytes: sector, flags: 0x80, systemUse: concat(rr.px(0o100644), rr.nm('multi.bin')) }),
    directoryRecord({ identifier: 'MULTI.BIN;1', lba: 32, sizeBytes: 100, systemUse: concat(rr.px(0o100644), rr.nm('multi.bin')) }),
    directoryRecord({ identifier: 'SUB', lba: 21, sizeBytes: sector, flags: 2, systemUse: concat(rr.px(0o040755), rr.nm('sub')) }),
  ];
  if (zisofsFile) {
    records.push(
      directoryRecord({
        identifier: 'Z.TXT;1',
        lba: 33,
        sizeBytes: zisofsStored.byteLength,
        systemUse: concat(rr.px(0o100644), rr.nm('z.txt'), rr.zf(zisofsFile.uncompressedBytes)),
      }),
    );
  }
  const root = directoryExtent({ selfLba: 20, parentLba: 20, selfSystemUse: rockRidgeRootSystemUse(), records });
  const multi = new Uint8Array(sector + 100).map((_, index) => index % 251);
  return buildIso({
    sectorCount: 34 + zisofsSectors,
    rootLba: 20,
    sectors: new Map([
      [20, root],
      [21, sub],
      [22, continuation],
      [30, hello],
      [31, multi],
      ...(zisofsFile ? ([[33, zisofsStored]] as [number, Uint8Array][]) : []),
    ]),
  });
}
