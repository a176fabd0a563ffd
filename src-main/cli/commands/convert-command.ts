// `isotope convert IN OUT.iso [--force] [--json]`: writes the data track of a BIN/CUE, NRG (or plain)
// image as a plain 2048-byte-sector ISO. Audio tracks are reported and skipped. The bytes do not
// cross the contract, so, like `cat`, this command drives the container engine directly.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { DiscTrack } from '../../../shared/image.ts';
import type { ConvertResult } from '../../container/convert-image.ts';
import { ProgressThrottle, RateMeter } from '../../jobs/progress-meter.ts';
import { reportFailure, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { ProgressDisplay } from './job-progress.ts';

export function registerConvertCommand(program: Command, context: CliContext): void {
  program
    .command('convert')
    .description('write the data track of a .cue/.bin or .nrg image as a plain .iso (audio tracks are skipped)')
    .argument('<input>', 'the .cue sheet, .nrg or image file')
    .argument('<output>', 'the .iso to write')
    .option('--force', 'replace OUTPUT if it exists')
    .option('--json', 'print one JSON document')
    .action(async (input: string, output: string, options: { force?: boolean; json?: boolean }) => {
      // The container engine loads only when this command runs (see cli.ts).
      const { convertImage, OutputExistsError } = await import('../../container/convert-image.ts');
      // On the terminal only: --json prints one document.
      const display = new ProgressDisplay(context, { json: false, tty: process.stderr.isTTY === true && options.json !== true });
      const throttle = new ProgressThrottle();
      const rate = new RateMeter();
      try {
        const result = await convertImage({
          inputPath: resolve(input),
          outputPath: resolve(output),
          overwrite: options.force === true,
          onProgress: ({ bytesWritten, totalBytes }) => {
            rate.sample(bytesWritten);
            // The end is always drawn, so the line never stops short of 100%.
            if (!throttle.due(bytesWritten >= totalBytes)) return;
            const reading = { label: 'converting', bytesDone: bytesWritten, bytesTotal: totalBytes, ...rate.rate(bytesWritten, totalBytes) };
            display.show('convert:progressed', { bytesWritten, totalBytes }, [reading]);
          },
        });
        display.end();
        context.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : describeConversion(result));
        context.setExitCode(exitCodes.ok);
      } catch (error) {
        display.end();
        if (error instanceof OutputExistsError) {
          if (options.json) context.stdout(`${JSON.stringify({ error: { code: 'invalid-request', message: error.message } }, null, 2)}\n`);
          context.stderr(`isotope: ${error.message}\n`);
          context.setExitCode(exitCodes.failed);
          return;
        }
        context.setExitCode(reportFailure(context, error, options.json === true));
      }
    });
}

function describeTrack(track: DiscTrack): string {
  return `track ${String(track.number).padStart(2, '0')} ${track.mode.padEnd(10)} ${track.sectorCount ?? '?'} sectors (${track.fileName})`;
}

function describeConversion(result: ConvertResult): string {
  const lines = [`Wrote ${result.outputPath}: ${result.bytesWritten} bytes (${result.bytesWritten / 2048} sectors of 2048 bytes)`];
  const used = result.container.tracks.find((track) => track.used);
  if (used) lines.push(`Data:    ${describeTrack(used)}`);
  for (const track of result.skippedTracks)
    lines.push(`Skipped: ${describeTrack(track)}${track.mode === 'AUDIO' ? ' (audio)' : ' (only the first data track is converted)'}`);
  return `${lines.join('\n')}\n`;
}
