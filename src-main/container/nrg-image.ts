// Parses the chunk list of a Nero Burning ROM image (.nrg). No public specification exists; the layout
// follows libmirage's reverse-engineered description (image-nrg.h): a footer at the end ("NER5" + a
// 64-bit, or "NERO" + a 32-bit big-endian offset) points at chunks [id, 32-bit BE length, data] ending
// with "END!". Tracks come from DAOX/DAOI (disc-at-once) or ETN2/ETNF (track-at-once); CUEX/CUES only
// repeat positions and are not needed.
import type { DiscTrackMode } from '../../shared/image.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import type { ByteSource } from '../io/byte-source.ts';

export type NrgVersion = 1 | 2;

export interface NrgTrack {
  readonly number: number;
  readonly mode: DiscTrackMode;
  readonly sectorSizeBytes: number;
  /** Byte offset of the track's first user sector (INDEX 01) in the file. */
  readonly startOffsetBytes: number;
  readonly sectorCount: number;
}

export interface NrgImage {
  readonly version: NrgVersion;
  readonly tracks: readonly NrgTrack[];
}

const maxChunks = 10_000;
/** Chunks we read whole are small (a DAO chunk for 99 tracks is ~4 KiB); larger ones are refused. */
const maxChunkReadBytes = 1024 * 1024;
const maxTracks = 99;

/** Nero's mode codes (libmirage decode_mode) -> CUE spelling and the stored sector size. */
const nrgModes: Readonly<Record<number, { mode: DiscTrackMode; sectorSizeBytes: number }>> = {
  0x00: { mode: 'MODE1/2048', sectorSizeBytes: 2048 },
  0x02: { mode: 'MODE2/2048', sectorSizeBytes: 2048 },
  0x03: { mode: 'MODE2/2336', sectorSizeBytes: 2336 },
  0x05: { mode: 'MODE1/2352', sectorSizeBytes: 2352 },
  0x06: { mode: 'MODE2/2352', sectorSizeBytes: 2352 },
  0x07: { mode: 'AUDIO', sectorSizeBytes: 2352 },
  0x0f: { mode: 'MODE1/2448', sectorSizeBytes: 2448 },
  0x10: { mode: 'AUDIO', sectorSizeBytes: 2448 },
  0x11: { mode: 'MODE2/2448', sectorSizeBytes: 2448 },
};

function ascii(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

function readUint64(view: DataView, at: number, what: string, sourceName: string): number {
  const value = view.getBigUint64(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CorruptImageError(`${sourceName}: ${what} ${value} is not a usable offset`, { file: sourceName });
  return Number(value);
}

/** The footer's version and first-chunk offset, or null when the file has no Nero footer. */
export async function readNrgFooter(source: ByteSource): Promise<{ version: NrgVersion; firstChunkOffsetBytes: number; footerOffsetBytes: number } | null> {
  if (source.sizeBytes >= 12) {
    const tail = await source.read(source.sizeBytes - 12, 12);
    if (ascii(tail.subarray(0, 4)) === 'NER5') {
      const view = new DataView(tail.buffer, tail.byteOffset, 12);
      return { version: 2, firstChunkOffsetBytes: readUint64(view, 4, 'NER5 footer offset', source.name), footerOffsetBytes: source.sizeBytes - 12 };
    }
  }
  if (source.sizeBytes >= 8) {
    const tail = await source.read(source.sizeBytes - 8, 8);
    if (ascii(tail.subarray(0, 4)) === 'NERO') {
      return { version: 1, firstChunkOffsetBytes: new DataView(tail.buffer, tail.byteOffset, 8).getUint32(4), footerOffsetBytes: source.sizeBytes - 8 };
    }
  }
  return null;
}

export async function parseNrgImage(source: ByteSource): Promise<NrgImage | null> {
  const footer = await readNrgFooter(source);
  if (!footer) return null;
  const { version, firstChunkOffsetBytes, footerOffsetBytes } = footer;
  const name = source.name;
  const fail = (offsetBytes: number, what: string): never => {
    throw new CorruptImageError(`${name}: Nero chunk at byte ${offsetBytes}: ${what}`, { file: name, offsetBytes });
  };
  if (firstChunkOffsetBytes >= footerOffsetBytes) {
    throw new CorruptImageError(`${name}: Nero footer points at byte ${firstChunkOffsetBytes}, past the chunk area (footer at byte ${footerOffsetBytes})`, {
      file: name,
      offsetBytes: firstChunkOffsetBytes,
    });
  }
  let daoTracks: NrgTrack[] | null = null;
  let etnTracks: NrgTrack[] | null = null;
  let at = firstChunkOffsetBytes;
  let ended = false;
  // Each chunk moves `at` forward by at least its 8-byte header, so the walk ends; the count is a second fence.
  for (let count = 0; count < maxChunks && !ended; count += 1) {
    if (at + 8 > footerOffsetBytes) fail(at, `the chunk header runs into the footer at byte ${footerOffsetBytes}`);
    const header = await source.read(at, 8);
    const id = ascii(header.subarray(0, 4));
    const lengthBytes = new DataView(header.buffer, header.byteOffset, 8).getUint32(4);
    const dataOffset = at + 8;
    if (dataOffset + lengthBytes > footerOffsetBytes)
      fail(at, `${JSON.stringify(id)} declares ${lengthBytes} bytes, ${footerOffsetBytes - dataOffset} remain before the footer`);
    if (id === 'END!') {
      ended = true;
    } else if (id === 'DAOX' || id === 'DAOI') {
      if (lengthBytes > maxChunkReadBytes) fail(at, `${id} declares ${lengthBytes} bytes`);
      // Later sessions' DAO chunks describe tracks after the first data track: the first one is enough.
      daoTracks ??= parseDaoChunk(await source.read(dataOffset, lengthBytes), { wide: id === 'DAOX', chunkOffsetBytes: at, fail });
    } else if (id === 'ETN2' || id === 'ETNF') {
      if (lengthBytes > maxChunkReadBytes) fail(at, `${id} declares ${lengthBytes} bytes`);
      const previous: NrgTrack[] = etnTracks ?? [];
      if (previous.length >= maxTracks) fail(at, `more than ${maxTracks} track-at-once entries`);
      etnTracks = [
        ...previous,
        ...parseEtnChunk(await source.read(dataOffset, lengthBytes), { wide: id === 'ETN2', chunkOffsetBytes: at, fail, previous: previous.length }),
      ];
    }
    at = dataOffset + lengthBytes;
  }
  if (!ended) fail(at, `no END! chunk within ${maxChunks} chunks`);
  const tracks = daoTracks ?? etnTracks;
  if (!tracks || tracks.length === 0) fail(firstChunkOffsetBytes, 'no DAOX/DAOI or ETN2/ETNF chunk describes a track');
  for (const track of tracks ?? []) {
    const endBytes = track.startOffsetBytes + track.sectorCount * track.sectorSizeBytes;
    if (endBytes > footerOffsetBytes)
      fail(firstChunkOffsetBytes, `track ${track.number} ends at byte ${endBytes}, past the data (chunks start at byte ${firstChunkOffsetBytes})`);
  }
  return { version, tracks: tracks ?? [] };
}

type Fail = (offsetBytes: number, what: string) => never;

/** DAOX/DAOI: a 22-byte header (UPC, TOC type, first/last track) then one block per track. */
function parseDaoChunk(data: Uint8Array, options: { wide: boolean; chunkOffsetBytes: number; fail: Fail }): NrgTrack[] {
  const { wide, chunkOffsetBytes, fail } = options;
  const headerBytes = 22;
  const blockBytes = wide ? 42 : 30;
  if (data.byteLength < headerBytes) fail(chunkOffsetBytes, `DAO chunk of ${data.byteLength} bytes is shorter than its ${headerBytes}-byte header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const firstTrack = data[20] as number;
  const lastTrack = data[21] as number;
  const declared = lastTrack - firstTrack + 1;
  const fits = Math.floor((data.byteLength - headerBytes) / blockBytes);
  if (declared < 1 || declared > maxTracks) fail(chunkOffsetBytes, `DAO header names tracks ${firstTrack}-${lastTrack}`);
  if (declared > fits) fail(chunkOffsetBytes, `DAO header names ${declared} tracks, the chunk holds ${fits}`);
  const tracks: NrgTrack[] = [];
  for (let index = 0; index < declared; index += 1) {
    const at = headerBytes + index * blockBytes;
    const declaredSectorBytes = view.getUint16(at + 12);
    const modeCode = data[at + 14] as number;
    const offset = (field: number): number => {
      const position = at + 18 + field * (wide ? 8 : 4);
      if (!wide) return view.getUint32(position);
      const value = view.getBigUint64(position);
      return value > BigInt(Number.MAX_SAFE_INTEGER) ? fail(chunkOffsetBytes, `track ${firstTrack + index} offset ${value} is not usable`) : Number(value);
    };
    const startOffsetBytes = offset(1);
    const endOffsetBytes = offset(2);
    const known = nrgModes[modeCode];
    if (!known) fail(chunkOffsetBytes, `track ${firstTrack + index} has unknown mode code 0x${modeCode.toString(16)}`);
    const sectorSizeBytes = (known as { sectorSizeBytes: number }).sectorSizeBytes;
    if (declaredSectorBytes !== sectorSizeBytes)
      fail(chunkOffsetBytes, `track ${firstTrack + index} declares ${declaredSectorBytes}-byte sectors for mode 0x${modeCode.toString(16)}`);
    const span = endOffsetBytes - startOffsetBytes;
    if (span < 0 || span % sectorSizeBytes !== 0)
      fail(chunkOffsetBytes, `track ${firstTrack + index} spans bytes ${startOffsetBytes}-${endOffsetBytes}, not whole ${sectorSizeBytes}-byte sectors`);
    tracks.push({
      number: firstTrack + index,
      mode: (known as { mode: DiscTrackMode }).mode,
      sectorSizeBytes,
      startOffsetBytes,
      sectorCount: span / sectorSizeBytes,
    });
  }
  return tracks;
}

/** ETN2/ETNF: one block per track-at-once track: offset, size, mode, start sector. */
function parseEtnChunk(data: Uint8Array, options: { wide: boolean; chunkOffsetBytes: number; fail: Fail; previous: number }): NrgTrack[] {
  const { wide, chunkOffsetBytes, fail } = options;
  const blockBytes = wide ? 32 : 20;
  if (data.byteLength % blockBytes !== 0) fail(chunkOffsetBytes, `ETN chunk of ${data.byteLength} bytes is not whole ${blockBytes}-byte entries`);
  const count = data.byteLength / blockBytes;
  if (count > maxTracks) fail(chunkOffsetBytes, `ETN chunk lists ${count} tracks`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const tracks: NrgTrack[] = [];
  for (let index = 0; index < count; index += 1) {
    const at = index * blockBytes;
    const read = (position: number): number => {
      if (!wide) return view.getUint32(position);
      const value = view.getBigUint64(position);
      return value > BigInt(Number.MAX_SAFE_INTEGER) ? fail(chunkOffsetBytes, `entry ${index} value ${value} is not usable`) : Number(value);
    };
    const offsetBytes = read(at);
    const sizeBytes = read(at + (wide ? 8 : 4));
    const modeCode = data[at + (wide ? 19 : 11)] as number;
    const known = nrgModes[modeCode];
    if (!known) fail(chunkOffsetBytes, `entry ${index} has unknown mode code 0x${modeCode.toString(16)}`);
    const { mode, sectorSizeBytes } = known as { mode: DiscTrackMode; sectorSizeBytes: number };
    if (sizeBytes % sectorSizeBytes !== 0) fail(chunkOffsetBytes, `entry ${index} holds ${sizeBytes} bytes, not whole ${sectorSizeBytes}-byte sectors`);
    tracks.push({ number: options.previous + index + 1, mode, sectorSizeBytes, startOffsetBytes: offsetBytes, sectorCount: sizeBytes / sectorSizeBytes });
  }
  return tracks;
}
