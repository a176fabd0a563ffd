// `isotope info IMAGE [--json]`: what the image is.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ImageSummary } from '../../../shared/image.ts';
import type { Result } from '../../../shared/result.ts';
import { reportResult, type CliContext } from '../cli-context.ts';

export function registerInfoCommand(program: Command, context: CliContext): void {
  program
    .command('info')
    .description('summarise an image: size, format, volume label')
    .argument('<image>', 'path of the image file')
    .option('--json', 'print one JSON document')
    .action(async (image: string, options: { json?: boolean }) => {
      const result = (await context.createService().invoke('image:open', { path: resolve(image) })) as Result<ImageSummary>;
      context.setExitCode(reportResult(context, result, options.json === true, describeImage));
    });
}

function describeImage(image: ImageSummary): string {
  const lines = [
    `File:          ${image.path}`,
    `Size:          ${image.sizeBytes} bytes`,
    `Format:        ${image.format === 'iso9660' ? 'ISO 9660' : 'not an ISO 9660 image'}`,
  ];
  if (image.volumeLabel !== null) lines.push(`Volume label:  ${image.volumeLabel}`);
  if (image.volumeSizeBytes !== null) lines.push(`Volume size:   ${image.volumeSizeBytes} bytes`);
  return `${lines.join('\n')}\n`;
}
