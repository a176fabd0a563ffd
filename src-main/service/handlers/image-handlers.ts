// `image:*` calls: choosing and opening images.
import { summarizeImage } from '../../image/summarize-image.ts';
import { AppFailure } from '../app-failure.ts';
import type { HandlerTable } from '../handler-types.ts';

export const imageHandlers: HandlerTable<'image:pick' | 'image:open'> = {
  'image:pick': async (_request, { options }) => {
    if (!options.pickImageFile) throw new AppFailure('unsupported', `the ${options.shell} shell has no file dialog`);
    return { path: await options.pickImageFile() };
  },
  'image:open': async ({ path }, { events }) => {
    const summary = await summarizeImage(path);
    events.emit('image:opened', summary);
    return summary;
  },
};
