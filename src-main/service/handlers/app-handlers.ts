// `app:*` calls: what the engine and its shell are.
import { homedir } from 'node:os';
import type { HandlerTable } from '../handler-types.ts';

export const appHandlers: HandlerTable<'app:describe'> = {
  'app:describe': async (_request, { options }) => ({
    name: 'Isotope',
    version: options.version,
    shell: options.shell,
    canPickFiles: options.pickImageFile !== undefined,
    platform: process.platform,
    homeFolder: homedir(),
  }),
};
