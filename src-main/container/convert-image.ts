// Writes the data track of any image Isotope reads (BIN/CUE, NRG, or a plain image) as a plain
// 2048-byte-sector .iso. Output goes to a temporary file in the destination folder and is moved into
// place only when complete, so a failed or cancelled conversion leaves no partial OUT behind.
import { randomBytes } from 'node:crypto';
import { link, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { DiscTrack, ImageContainer } from '../../shared/image.ts';
import { throwIfCancelled } from '../jobs/errors.ts';
import { openImageSource } from './open-image-source.ts';

export class OutputExistsError extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`${path} already exists (use --force to replace it)`);
    this.name = 'OutputExistsError';
    this.path = path;
  }
}

export interface ConvertProgress {
  readonly bytesWritten: number;
  readonly totalBytes: number;
}

export interface ConvertOptions {
  readonly inputPath: string;
  readonly outputPath: string;
  /** Replace an existing output file; without it an existing file is an OutputExistsError. */
  readonly overwrite?: boolean;
  readonly onProgress?: (progress: ConvertProgress) => void;
  readonly signal?: AbortSignal;
}

export interface ConvertResult {
  readonly outputPath: string;
  readonly bytesWritten: number;
  readonly container: ImageContainer;
  /** Tracks not written: audio tracks and data tracks after the first. */
  readonly skippedTracks: readonly DiscTrack[];
}

/** 512 logical sectors per read: large enough to stream, small enough to keep memory flat. */
const chunkBytes = 1024 * 1024;

export async function convertImage(options: ConvertOptions): Promise<ConvertResult> {
  const outputPath = resolve(options.outputPath);
  if (!options.overwrite && (await exists(outputPath))) throw new OutputExistsError(outputPath);
  const source = await openImageSource(resolve(options.inputPath));
  const temporaryPath = join(dirname(outputPath), `.${basename(outputPath)}.isotope-${randomBytes(6).toString('hex')}.partial`);
  let moved = false;
  try {
    if (resolve(source.path) === outputPath) throw new OutputExistsError(outputPath);
    const output = await open(temporaryPath, 'wx');
    try {
      let written = 0;
      options.onProgress?.({ bytesWritten: 0, totalBytes: source.sizeBytes });
      while (written < source.sizeBytes) {
        throwIfCancelled(options.signal, `converting ${source.path}`);
        const length = Math.min(chunkBytes, source.sizeBytes - written);
        const bytes = await source.read(written, length);
        let done = 0;
        while (done < bytes.byteLength) done += (await output.write(bytes, done, bytes.byteLength - done, written + done)).bytesWritten;
        written += length;
        options.onProgress?.({ bytesWritten: written, totalBytes: source.sizeBytes });
      }
      // Buffered writes report errors only at fsync: the .iso is complete only when this succeeds.
      await output.sync();
    } finally {
      await output.close();
    }
    if (options.overwrite) {
      await rename(temporaryPath, outputPath);
    } else {
      // link() fails with EEXIST if OUT appeared meanwhile: never replace a file the user did not give up.
      try {
        await link(temporaryPath, outputPath);
      } catch (error) {
        if (error instanceof Error && 'code' in error && error.code === 'EEXIST') throw new OutputExistsError(outputPath);
        throw error;
      }
      await rm(temporaryPath, { force: true });
    }
    moved = true;
    return {
      outputPath,
      bytesWritten: source.sizeBytes,
      container: source.container,
      skippedTracks: source.container.tracks.filter((track) => !track.used),
    };
  } finally {
    if (!moved) await rm(temporaryPath, { force: true });
    await source.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return false;
    throw error;
  }
}
