// `isotope cat IMAGE PATH`: the bytes of one file inside an image, to stdout (zisofs decompressed).
// Bytes do not belong in the contract, so this command reads through the image engine directly.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { imageNamespaces, type ImageNamespaceChoice } from '../../../shared/image.ts';
import { reportFailure, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { decodeFirstIfNeeded } from './decode-first.ts';

/** Writes bytes and resolves when the stream accepts more (backpressure). */
export type WriteBytes = (bytes: Uint8Array) => Promise<void>;

export function registerCatCommand(program: Command, context: CliContext, writeBytes: WriteBytes = writeToStdout): void {
  program
    .command('cat')
    .description('write a file inside an image to stdout')
    .argument('<image>', 'path of the image file')
    .argument('<path>', 'file inside the image')
    .addOption(new Option('--namespace <name>', 'which names to use').choices(['auto', ...imageNamespaces]).default('auto'))
    .action(async (image: string, path: string, options: { namespace?: ImageNamespaceChoice }) => {
      const decodeFailed = await decodeFirstIfNeeded(context, resolve(image));
      if (decodeFailed !== null) return context.setExitCode(decodeFailed);
      try {
        // The image engine loads only when this command runs (see cli.ts).
        const [{ EntryNotFoundError }, { withImageFile }, { readEntryContent }] = await Promise.all([
          import('../../image/extract-entries.ts'),
          import('../../image/open-image-file.ts'),
          import('../../image/read-entry.ts'),
        ]);
        await withImageFile(resolve(image), { namespace: options.namespace ?? 'auto' }, async ({ image: iso, source }) => {
          const entry = await iso.lookup(path);
          if (!entry || entry.type === 'directory') throw new EntryNotFoundError(path);
          for await (const chunk of readEntryContent(source, entry)) await writeBytes(chunk);
        });
        context.setExitCode(exitCodes.ok);
      } catch (error) {
        context.setExitCode(reportFailure(context, error));
      }
    });
}

function writeToStdout(bytes: Uint8Array): Promise<void> {
  return new Promise((resolveWrite, reject) => {
    const accepted = process.stdout.write(bytes, (error) => (error ? reject(error) : undefined));
    if (accepted) resolveWrite();
    else process.stdout.once('drain', () => resolveWrite());
  });
}
