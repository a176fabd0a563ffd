// `isotope extract IMAGE [PATH...] --to DIR [--namespace ...] [--allow-shared-extents] [--json]`: files
// and folders of an image (everything when no PATH is given) into DIR. Ctrl-C cancels and removes the
// partial output.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { followJob } from '../../../shared/follow-job.ts';
import { imageNamespaces, type ImageExtractResult, type ImageNamespaceChoice } from '../../../shared/image.ts';
import { reportResult, type CliContext } from '../cli-context.ts';
import { decodeFirstIfNeeded } from './decode-first.ts';

export function registerExtractCommand(program: Command, context: CliContext): void {
  program
    .command('extract')
    .description('extract files and folders of an image into a folder')
    .argument('<image>', 'path of the image file')
    .argument('[paths...]', 'files or folders inside the image (default: everything)')
    .requiredOption('--to <dir>', 'destination folder (created if missing)')
    .addOption(new Option('--namespace <name>', 'which names to use').choices(['auto', ...imageNamespaces]).default('auto'))
    .option('--allow-shared-extents', 'write every copy of files that share data (hard links), even beyond the image size')
    .option('--json', 'print one JSON document')
    .action(async (image: string, paths: string[], options: { to: string; namespace: ImageNamespaceChoice; allowSharedExtents?: boolean; json?: boolean }) => {
      const decodeFailed = await decodeFirstIfNeeded(context, resolve(image), options);
      if (decodeFailed !== null) return context.setExitCode(decodeFailed);
      const service = context.createService();
      // Ctrl-C before the job's id is known cancels it as soon as it is.
      let jobId: string | null = null;
      let interrupted = false;
      const cancel = (): void => {
        interrupted = true;
        if (jobId !== null) void service.call('job:cancel', { jobId });
      };
      process.once('SIGINT', cancel);
      try {
        const request = {
          path: resolve(image),
          entries: paths,
          destination: resolve(options.to),
          namespace: options.namespace,
          allowSharedExtents: options.allowSharedExtents === true,
        };
        const result = await followJob(
          { onFinished: (listener) => service.on('job:finished', listener) },
          'extract',
          () => service.call('image:extract', request),
          {
            started: (id) => {
              jobId = id;
              if (interrupted) cancel();
            },
          },
        );
        context.setExitCode(reportResult(context, result, options.json === true, describeExtraction));
      } finally {
        process.removeListener('SIGINT', cancel);
      }
    });
}

function describeExtraction(result: ImageExtractResult): string {
  const lines = [`Extracted ${result.fileCount} files and ${result.directoryCount} folders (${result.bytesWritten} bytes).`];
  for (const skipped of result.skipped) lines.push(`Skipped ${skipped.path}: ${skipped.reason}`);
  return `${lines.join('\n')}\n`;
}
