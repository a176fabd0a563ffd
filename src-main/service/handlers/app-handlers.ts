// `app:*` calls: what the engine and its shell are.
import { arch, homedir } from 'node:os';
import type { EngineBuild } from '../../../shared/app.ts';
import { bundledLicences, bundledLicenceText } from '../../io/bundled-licences.ts';
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';

/**
 * Replaced by `npm run build` (scripts/build.js, esbuild `define`) with the commit the bundle was built
 * from, or null outside git. Run from source (tsx, Vitest) nothing replaces it: the name is undeclared
 * at run time, so `typeof` says 'undefined' and the build is unknown, never guessed.
 */
declare const ISOTOPE_ENGINE_BUILD: EngineBuild | null | undefined;

const engineBuild: EngineBuild | null = typeof ISOTOPE_ENGINE_BUILD === 'object' ? ISOTOPE_ENGINE_BUILD : null;

export const appHandlers: HandlerTable<'app:describe' | 'app:licence-text'> = {
  'app:describe': async (_request, { options }) => ({
    name: 'Isotope',
    version: options.version,
    shell: options.shell,
    canPickFiles: options.pickOpenPath !== undefined,
    canShowInFolder: options.showInFolder !== undefined,
    platform: process.platform,
    homeFolder: homedir(),
    about: { engineBuild: `Node.js ${process.versions.node}, ${process.platform} ${arch()}`, licences: await bundledLicences(), build: engineBuild },
  }),
  'app:licence-text': async ({ name }) => {
    const text = await bundledLicenceText(name);
    if (text === null) throw new CodedError('invalid-request', `no library or data shipped with Isotope is named "${name}"`, { name });
    return text;
  },
};
