// `image:boot`: how an image boots (El Torito, MBR/GPT/APM, EFI loaders, verdict), with the ISO path
// of each boot image found through the directory tree. The reading runs as a parse job
// (src-main/isolation/parse-jobs.ts): in a capped worker, except in the CLI.
import type { HandlerTable } from '../handler-types.ts';

export const bootHandlers: HandlerTable<'image:boot'> = {
  'image:boot': (request, { parser }) => parser.run('image:boot', request),
};
