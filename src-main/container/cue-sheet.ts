// Parses a CUE sheet (the text index of a BIN/CUE disc image): FILE, TRACK and INDEX commands, as
// written by CDRWIN and documented in its user's guide (appendix "Cue Sheet Syntax"). Other commands
// (REM, TITLE, PERFORMER, FLAGS, ISRC, CATALOG, PREGAP, POSTGAP, ...) describe nothing stored and are skipped.
import type { DiscTrackMode } from '../../shared/image.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';

export interface CueIndex {
  readonly number: number;
  /** Position in frames (1/75 s = one sector) from the start of the FILE. */
  readonly frame: number;
}

export interface CueTrack {
  readonly number: number;
  readonly mode: DiscTrackMode;
  readonly indexes: readonly CueIndex[];
  /** 1-based line of the TRACK command, for messages. */
  readonly line: number;
}

export interface CueFile {
  /** The name as written (relative to the CUE sheet's folder). */
  readonly fileName: string;
  readonly fileType: string;
  readonly tracks: readonly CueTrack[];
  readonly line: number;
}

export interface CueSheet {
  readonly files: readonly CueFile[];
}

/** CD audio has at most 99 tracks (Red Book); a sheet is a few KiB. Limits keep hostile sheets cheap. */
export const maxCueSheetBytes = 1024 * 1024;
const maxTracks = 99;
const maxIndexesPerTrack = 100;
const maxFiles = 99;

/** Stored sector size and where the 2048 user bytes sit, per CUE track mode. */
export const trackModeLayouts: Readonly<Record<DiscTrackMode, { sectorSizeBytes: number; userDataOffsetBytes: number | null }>> = {
  'MODE1/2048': { sectorSizeBytes: 2048, userDataOffsetBytes: 0 },
  'MODE2/2048': { sectorSizeBytes: 2048, userDataOffsetBytes: 0 }, // form 1 user data only
  'MODE2/2336': { sectorSizeBytes: 2336, userDataOffsetBytes: 8 }, // subheader + form 1 user data
  'MODE1/2352': { sectorSizeBytes: 2352, userDataOffsetBytes: 16 }, // ECMA-130 14.3: sync 12 + header 4
  'MODE2/2352': { sectorSizeBytes: 2352, userDataOffsetBytes: 24 }, // + subheader 8 (form 1; CD-ROM XA)
  'MODE1/2448': { sectorSizeBytes: 2448, userDataOffsetBytes: 16 }, // raw + 96 bytes of subchannel
  'MODE2/2448': { sectorSizeBytes: 2448, userDataOffsetBytes: 24 },
  AUDIO: { sectorSizeBytes: 2352, userDataOffsetBytes: null },
};

function isTrackMode(value: string): value is DiscTrackMode {
  return Object.hasOwn(trackModeLayouts, value);
}

/** Splits a line into words, keeping "quoted names with spaces" whole. */
function splitWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|(\S+)/g;
  for (const match of line.matchAll(pattern)) words.push(match[1] ?? match[2] ?? '');
  return words;
}

export function parseCueSheet(text: string, sheetName: string): CueSheet {
  const fail = (line: number, what: string): never => {
    throw new CorruptImageError(`${sheetName} line ${line}: ${what}`, { file: sheetName, line });
  };
  const files: { fileName: string; fileType: string; tracks: { number: number; mode: DiscTrackMode; indexes: CueIndex[]; line: number }[]; line: number }[] =
    [];
  let trackCount = 0;
  let lastTrackNumber = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let at = 0; at < lines.length; at += 1) {
    const lineNumber = at + 1;
    const words = splitWords(lines[at] ?? '');
    const command = words[0]?.toUpperCase();
    if (command === 'FILE') {
      const fileName = words[1];
      if (words.length < 3 || !fileName) fail(lineNumber, 'FILE needs a name and a type');
      if (files.length >= maxFiles) fail(lineNumber, `more than ${maxFiles} FILE commands`);
      files.push({ fileName: fileName as string, fileType: (words[2] ?? '').toUpperCase(), tracks: [], line: lineNumber });
    } else if (command === 'TRACK') {
      const file = files.at(-1);
      if (!file) fail(lineNumber, 'TRACK before any FILE');
      const number = Number(words[1]);
      const mode = (words[2] ?? '').toUpperCase();
      if (!Number.isInteger(number) || number < 1 || number > maxTracks) fail(lineNumber, `track number ${words[1] ?? '(none)'} is not 1-${maxTracks}`);
      // CDRWIN: track numbers start anywhere but increase by one.
      if (lastTrackNumber !== 0 && number !== lastTrackNumber + 1) fail(lineNumber, `track ${number} follows track ${lastTrackNumber}`);
      if (!isTrackMode(mode)) fail(lineNumber, `unsupported track mode ${mode || '(none)'}`);
      trackCount += 1;
      if (trackCount > maxTracks) fail(lineNumber, `more than ${maxTracks} tracks`);
      lastTrackNumber = number;
      file?.tracks.push({ number, mode: mode as DiscTrackMode, indexes: [], line: lineNumber });
    } else if (command === 'INDEX') {
      const track = files.at(-1)?.tracks.at(-1);
      if (!track) fail(lineNumber, 'INDEX before any TRACK');
      const number = Number(words[1]);
      const frame = parseMsf(words[2] ?? '');
      if (!Number.isInteger(number) || number < 0 || number > 99) fail(lineNumber, `index number ${words[1] ?? '(none)'} is not 0-99`);
      if (frame === null) fail(lineNumber, `index position ${words[2] ?? '(none)'} is not mm:ss:ff`);
      if (track && track.indexes.length >= maxIndexesPerTrack) fail(lineNumber, `more than ${maxIndexesPerTrack} indexes in one track`);
      const previous = track?.indexes.at(-1);
      if (previous && (frame as number) < previous.frame) fail(lineNumber, `index ${number} lies before index ${previous.number}`);
      track?.indexes.push({ number, frame: frame as number });
    }
  }
  for (const file of files) {
    for (const track of file.tracks) {
      if (!track.indexes.some((index) => index.number === 1)) fail(track.line, `track ${track.number} has no INDEX 01`);
    }
  }
  if (trackCount === 0) fail(lines.length, 'no TRACK command');
  return { files };
}

/** "mm:ss:ff" (75 frames a second) to a frame count; null when malformed. Minutes may exceed 99 in long sheets. */
export function parseMsf(text: string): number | null {
  const match = /^(\d{1,4}):(\d{1,2}):(\d{1,2})$/.exec(text);
  if (!match) return null;
  const [minutes, seconds, frames] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (seconds >= 60 || frames >= 75) return null;
  return (minutes * 60 + seconds) * 75 + frames;
}
