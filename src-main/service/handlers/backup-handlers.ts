// `drives:backup` and `backup:pick-output`: reading a whole drive into an image file (src-main/backup/).
import { dirname } from 'node:path';
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';
import { extractionDestinations } from './image-handlers.ts';

export const backupHandlers: HandlerTable<'drives:backup' | 'backup:pick-output'> = {
  'backup:pick-output': async ({ suggestedName }, { options }) => {
    if (!options.pickBackupOutput) throw new CodedError('unsupported', `the ${options.shell} shell has no save dialog`);
    const path = await options.pickBackupOutput(suggestedName);
    // The folder the user chose in the shell's own dialog (never the renderer's word) becomes an allowed destination.
    if (path !== null) await extractionDestinations.choose(dirname(path));
    return { path };
  },
  'drives:backup': async () => {
    throw new CodedError('unsupported', 'drives:backup is not implemented yet');
  },
};
