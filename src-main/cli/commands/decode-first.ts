// `isotope info|ls|cat|extract|boot` on a compressed image that cannot be read at random (.gz, .bz2, a
// single-block .xz, a deflated .zip entry) and has no decoded cache file yet: it is decoded first, with
// its progress on the terminal (stderr, so stdout keeps only the command's own output, JSON included),
// and the command then reads the cache file. Ctrl-C cancels the decode, which leaves no file.
import type { CliContext } from '../cli-context.ts';
import { reportFailure } from '../cli-context.ts';
import { ProgressDisplay, type ProgressReading } from './job-progress.ts';

/** Null to go on; otherwise the exit code of a failed or cancelled decode, already reported. */
export async function decodeFirstIfNeeded(context: CliContext, imagePath: string, options: { readonly json?: boolean } = {}): Promise<number | null> {
  // The engine loads only when a command runs (see cli.ts).
  const { decodeToCache, needsDecoding } = await import('../../container/decoded-cache.ts');
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  const display = new ProgressDisplay(context, { json: false, tty: process.stderr.isTTY === true });
  const started = performance.now();
  try {
    if (!(await needsDecoding(imagePath))) return null;
    process.once('SIGINT', cancel);
    await decodeToCache(imagePath, {
      signal: controller.signal,
      onProgress: (progress) => {
        const seconds = (performance.now() - started) / 1000;
        const reading: ProgressReading = {
          label: 'decoding',
          bytesDone: progress.compressedBytesRead,
          bytesTotal: progress.compressedSizeBytes,
          bytesPerSecond: seconds > 0 ? progress.compressedBytesRead / seconds : 0,
          etaMs: null,
        };
        display.show('decode:progress', progress, [reading]);
      },
    });
    return null;
  } catch (error) {
    display.end();
    return reportFailure(context, error, options.json === true);
  } finally {
    display.end();
    process.removeListener('SIGINT', cancel);
  }
}
