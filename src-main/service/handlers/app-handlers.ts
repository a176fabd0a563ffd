// `app:*` calls: what the engine and its shell are.
import { arch, homedir } from 'node:os';
import { bundledLicences } from '../../io/bundled-licences.ts';
import type { HandlerTable } from '../handler-types.ts';

export const appHandlers: HandlerTable<'app:describe'> = {
  'app:describe': async (_request, { options }) => ({
    name: 'Isotope',
    version: options.version,
    shell: options.shell,
    canPickFiles: options.pickImageFile !== undefined,
    canShowInFolder: options.showInFolder !== undefined,
    platform: process.platform,
    homeFolder: homedir(),
    about: { engineBuild: `Node.js ${process.versions.node}, ${process.platform} ${arch()}`, licences: await bundledLicences() },
  }),
};
