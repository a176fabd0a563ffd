// Opens an image for reading whatever holds it: a CUE sheet with its BIN file(s), a Nero .nrg, or a
// plain file. Containers are presented through their first track (which must be data) as 2048-byte
// logical sectors, so the ISO 9660 / boot / UDF parsers read them exactly like an .iso.
//
// Decision on CUE FILE names: they are resolved against the CUE sheet's folder, and a name that is
// absolute or climbs out of that folder ("../x.bin") is refused: a downloaded sheet must not make
// Isotope read files elsewhere on the machine. Symbolic links inside the folder are followed (the
// user put them there).
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { CompressionInfo, DiscTrack, ImageCompression, ImageContainer } from '../../shared/image.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { openCompressedSource } from '../compression/compressed-source.ts';
import { compressionMagicBytes, detectCompression } from '../compression/detect-compression.ts';
import { NeedsDecodingError } from '../compression/needs-decoding-error.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { maxHostPathBytes } from '../io/extraction-paths.ts';
import { NotAnImageError } from '../format/not-an-image-error.ts';
import { openFileSource, type FileSource } from '../io/file-source.ts';
import { maxCueSheetBytes, parseCueSheet, trackModeLayouts, type CueSheet } from './cue-sheet.ts';
import { parseNrgImage, readNrgFooter } from './nrg-image.ts';
import { createSectorTranslatingSource } from './sector-translating-source.ts';
import { findDecodedCache, retainDecodedCache, touchDecodedCache } from './decoded-cache.ts';

export interface ImageSource extends FileSource {
  /** How the image is stored, and its tracks (empty for a plain image). */
  readonly container: ImageContainer;
  /** Set for a compressed image: these are its decoded bytes, read at random or from the decoded cache. */
  readonly compression?: CompressionInfo;
}

/**
 * Whether `path` is a disc container rather than a raw image, without parsing it: a CUE sheet by its
 * name, a Nero image by its footer. Flashing needs this: written raw, a container puts its sheet or
 * Nero framing on the drive instead of the image.
 */
export async function detectDiscContainer(path: string): Promise<'bin-cue' | 'nrg' | null> {
  if (extname(path).toLowerCase() === '.cue') return 'bin-cue';
  const file = await openFileSource(path);
  try {
    return (await readNrgFooter(file)) ? 'nrg' : null;
  } finally {
    await file.close();
  }
}

export async function openImageSource(path: string): Promise<ImageSource> {
  if (extname(path).toLowerCase() === '.cue') return openCueSheet(path);
  const file = await openFileSource(path);
  try {
    const compression = file.sizeBytes >= compressionMagicBytes ? detectCompression(await file.read(0, compressionMagicBytes)) : null;
    if (compression !== null) {
      await file.close();
      return await openDecodedImage(path, compression);
    }
    const nrg = await parseNrgImage(file);
    if (!nrg) return { ...fileSourceMethods(file), container: { kind: 'iso', tracks: [], containerSizeBytes: file.sizeBytes } };
    const [first] = nrg.tracks;
    const layout = first ? trackModeLayouts[first.mode] : null;
    if (!first || !layout || layout.userDataOffsetBytes === null) {
      throw new NotAnImageError(path, 'the first track of this Nero image is audio: there is no data track to read');
    }
    const fileName = basename(path);
    const tracks: DiscTrack[] = nrg.tracks.map((track, index) => ({
      number: track.number,
      mode: track.mode,
      sectorSizeBytes: track.sectorSizeBytes,
      sectorCount: track.sectorCount,
      fileName,
      used: index === 0,
    }));
    const data = createSectorTranslatingSource(
      file,
      {
        trackOffsetBytes: first.startOffsetBytes,
        sectorCount: first.sectorCount,
        sectorSizeBytes: first.sectorSizeBytes,
        userDataOffsetBytes: layout.userDataOffsetBytes,
      },
      { name: path },
    );
    return { ...sourceMethods(data), path, modifiedMs: file.modifiedMs, container: { kind: 'nrg', tracks, containerSizeBytes: file.sizeBytes } };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/**
 * The decoded bytes of a compressed image: straight from the compressed file where it allows random
 * access, else from a decoded cache file of this very file version, else NeedsDecodingError. (A
 * compressed CUE/BIN or Nero image is read as the raw image it decodes to: not a case to support.)
 */
async function openDecodedImage(path: string, kind: ImageCompression): Promise<ImageSource> {
  const compressed = await openCompressedSource(path, kind);
  const { info } = compressed;
  const container: ImageContainer = { kind: 'iso', tracks: [], containerSizeBytes: info.compressedSizeBytes };
  if (compressed.source !== null) {
    const decoded = compressed.source;
    const modifiedMs = (await stat(path)).mtimeMs;
    return { ...sourceMethods(decoded), name: path, close: () => compressed.close(), path, modifiedMs, container, compression: info };
  }
  await compressed.close();
  const cached = await findDecodedCache(path);
  if (cached === null)
    throw new NeedsDecodingError(path, info, `${compressed.refusal ?? 'it cannot be read at random'}, and there is no decoded cache file yet`);
  const file = await openFileSource(cached.cachePath);
  // Kept from Clear all while open: removing it would free no space (the open file keeps its blocks).
  const release = retainDecodedCache(cached.cachePath, `the open image ${path}`);
  const close = async (): Promise<void> => {
    release();
    await file.close();
  };
  try {
    await touchDecodedCache(cached);
    const cachedInfo: CompressionInfo = { ...info, decodedSizeBytes: cached.decodedSizeBytes, access: 'decoded-cache' };
    return { ...sourceMethods(file), close, name: path, path, modifiedMs: (await stat(path)).mtimeMs, container, compression: cachedInfo };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The methods of a source as a plain object (spreading an object literal keeps its getters' values). */
function sourceMethods(source: ByteSource): Pick<FileSource, 'name' | 'sizeBytes' | 'read' | 'close'> {
  return { name: source.name, sizeBytes: source.sizeBytes, read: (offset, length) => source.read(offset, length), close: () => source.close() };
}

function fileSourceMethods(file: FileSource): FileSource {
  return { ...sourceMethods(file), path: file.path, modifiedMs: file.modifiedMs };
}

async function openCueSheet(cuePath: string): Promise<ImageSource> {
  const sheetFile = await openFileSource(cuePath);
  let sheet: CueSheet;
  let sheetModifiedMs: number;
  try {
    if (sheetFile.sizeBytes > maxCueSheetBytes) {
      throw new CorruptImageError(`${cuePath}: a CUE sheet of ${sheetFile.sizeBytes} bytes is over the ${maxCueSheetBytes}-byte limit`, { file: cuePath });
    }
    sheet = parseCueSheet(decodeSheet(await sheetFile.read(0, sheetFile.sizeBytes)), cuePath);
    sheetModifiedMs = sheetFile.modifiedMs;
  } finally {
    await sheetFile.close();
  }

  const folder = dirname(resolve(cuePath));
  const tracks: DiscTrack[] = [];
  let dataTrack: { binPath: string; trackOffsetBytes: number; sectorCount: number; sectorSizeBytes: number; userDataOffsetBytes: number | null } | null = null;
  let containerSizeBytes = 0;
  for (const file of sheet.files) {
    const holdsDataTrack = tracks.length === 0;
    // CDRWIN: BINARY (little-endian) and MOTOROLA (big-endian) files hold raw sectors; WAVE, MP3 and
    // AIFF hold compressed or wrapped audio, which is reported and never read (nor even resolved: a
    // rip often lacks its .wav files, and a file never opened cannot leak anything).
    if (file.fileType !== 'BINARY' && file.fileType !== 'MOTOROLA') {
      if (holdsDataTrack)
        throw new CorruptImageError(`${cuePath} line ${file.line}: the first track is in a ${file.fileType} file, not raw sectors (BINARY)`, {
          file: cuePath,
          line: file.line,
        });
      for (const track of file.tracks) {
        tracks.push({
          number: track.number,
          mode: track.mode,
          sectorSizeBytes: trackModeLayouts[track.mode].sectorSizeBytes,
          sectorCount: null,
          fileName: file.fileName,
          used: false,
        });
      }
      continue;
    }
    const binPath = await resolveInsideFolder(folder, file.fileName, { cuePath, line: file.line });
    const binStats = await stat(binPath);
    if (!binStats.isFile())
      throw new CorruptImageError(`${cuePath} line ${file.line}: ${file.fileName} is not a regular file`, { file: cuePath, line: file.line });
    containerSizeBytes += binStats.size;
    for (const span of trackSpans(file.tracks, binStats.size, { cuePath, fileName: file.fileName, holdsDataTrack })) {
      const layout = trackModeLayouts[span.mode];
      const used = tracks.length === 0;
      tracks.push({
        number: span.number,
        mode: span.mode,
        sectorSizeBytes: layout.sectorSizeBytes,
        sectorCount: span.sectorCount,
        fileName: file.fileName,
        used,
      });
      if (used) dataTrack = { binPath, trackOffsetBytes: span.startBytes, sectorCount: span.sectorCount, ...layout };
    }
  }
  if (!dataTrack || dataTrack.userDataOffsetBytes === null) {
    throw new NotAnImageError(cuePath, 'the first track of this CUE sheet is audio: there is no data track to read');
  }
  const bin = await openFileSource(dataTrack.binPath);
  const data = createSectorTranslatingSource(
    bin,
    {
      trackOffsetBytes: dataTrack.trackOffsetBytes,
      sectorCount: dataTrack.sectorCount,
      sectorSizeBytes: dataTrack.sectorSizeBytes,
      userDataOffsetBytes: dataTrack.userDataOffsetBytes,
    },
    { name: cuePath },
  );
  return {
    ...sourceMethods(data),
    path: cuePath,
    // Either file changing changes the image (hash caches key on this).
    modifiedMs: Math.max(sheetModifiedMs, bin.modifiedMs),
    container: { kind: 'bin-cue', tracks, containerSizeBytes },
  };
}

/** UTF-8, else Latin-1: older burning programs wrote sheets in the Windows code page. */
function decodeSheet(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

/**
 * The real path of a FILE of the sheet, which must lie inside the sheet's folder: by its name (no
 * "..", nothing absolute), and again once symbolic links are resolved, so a link placed next to the
 * sheet cannot point at /etc/shadow for a privileged engine to read as a disc (issue 12 §6).
 */
async function resolveInsideFolder(folder: string, fileName: string, where: { cuePath: string; line: number }): Promise<string> {
  const outside = (what: string): CorruptImageError =>
    new CorruptImageError(`${where.cuePath} line ${where.line}: FILE ${JSON.stringify(fileName)} ${what}`, { file: where.cuePath, line: where.line });
  const isInside = (root: string, path: string): boolean => {
    const inside = relative(root, path);
    return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
  };
  const candidate = resolve(folder, fileName);
  if (isAbsolute(fileName) || fileName.includes('\0') || !isInside(folder, candidate)) throw outside("lies outside the CUE sheet's folder");
  // 250 levels of 170-byte names: a path no system call takes (ENAMETOOLONG). The sheet is at fault.
  const candidateBytes = Buffer.byteLength(candidate);
  if (candidateBytes > maxHostPathBytes)
    throw outside(`names a path of ${candidateBytes} bytes, longer than the ${maxHostPathBytes + 1}-byte limit (PATH_MAX)`);
  // A missing file stays ENOENT (not-found, naming it); the folder is compared by its own real path.
  const [realFolder, realCandidate] = await Promise.all([realpath(folder), realpath(candidate)]);
  if (!isInside(realFolder, realCandidate)) throw outside(`is a link to ${realCandidate}, outside the CUE sheet's folder`);
  return realCandidate;
}

interface TrackSpan {
  readonly number: number;
  readonly mode: DiscTrack['mode'];
  /** Byte offset of INDEX 01 in the file. */
  readonly startBytes: number;
  readonly sectorCount: number;
}

/**
 * Where each track of one FILE lies. INDEX positions count sectors of the file; a track runs from its
 * INDEX 01 to the first index of the next track (its pregap, INDEX 00, belongs to the file before
 * INDEX 01), and the last one to the end of the file, which must hold whole sectors.
 */
function trackSpans(
  tracks: CueSheet['files'][number]['tracks'],
  fileSizeBytes: number,
  where: { cuePath: string; fileName: string; holdsDataTrack: boolean },
): TrackSpan[] {
  const spans: TrackSpan[] = [];
  const fail = (line: number, what: string): never => {
    throw new CorruptImageError(`${where.cuePath} line ${line}: ${what}`, { file: where.cuePath, line });
  };
  let regionStartBytes = 0; // where this track's first index lies in the file
  let regionStartFrame = 0;
  for (let index = 0; index < tracks.length; index += 1) {
    const track = tracks[index] as (typeof tracks)[number];
    const { sectorSizeBytes } = trackModeLayouts[track.mode];
    const firstFrame = track.indexes[0]?.frame ?? 0;
    const index01Frame = track.indexes.find((entry) => entry.number === 1)?.frame ?? firstFrame;
    if (index === 0) {
      regionStartFrame = firstFrame;
      regionStartBytes = firstFrame * sectorSizeBytes;
    }
    const startBytes = regionStartBytes + (index01Frame - regionStartFrame) * sectorSizeBytes;
    const next = tracks[index + 1];
    let endBytes: number;
    if (next) {
      const nextFirstFrame = next.indexes[0]?.frame ?? 0;
      if (nextFirstFrame < index01Frame)
        fail(next.line, `track ${next.number} starts at frame ${nextFirstFrame}, before track ${track.number}'s INDEX 01 at ${index01Frame}`);
      endBytes = startBytes + (nextFirstFrame - index01Frame) * sectorSizeBytes;
      regionStartBytes = endBytes;
      regionStartFrame = nextFirstFrame;
    } else {
      endBytes = fileSizeBytes;
    }
    if (endBytes > fileSizeBytes || startBytes > endBytes) {
      fail(track.line, `track ${track.number} spans bytes ${startBytes}-${endBytes} of ${where.fileName}, which holds ${fileSizeBytes} bytes`);
    }
    // CDRWIN: a BIN file holds whole sectors; a ragged end means a truncated or mislabelled file. That
    // is an error for the data track we read; a skipped audio track's partial last sector is only dropped.
    const isDataTrack = where.holdsDataTrack && index === 0;
    if ((endBytes - startBytes) % sectorSizeBytes !== 0 && isDataTrack) {
      fail(
        track.line,
        `track ${track.number} (${track.mode}) spans ${endBytes - startBytes} bytes of ${where.fileName} (size ${fileSizeBytes}), not a multiple of ${sectorSizeBytes}-byte sectors`,
      );
    }
    spans.push({ number: track.number, mode: track.mode, startBytes, sectorCount: Math.floor((endBytes - startBytes) / sectorSizeBytes) });
  }
  return spans;
}
