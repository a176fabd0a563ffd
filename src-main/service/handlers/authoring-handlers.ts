// `iso:*`: making a new image from folders and files, and a remastered copy of one (src-main/authoring/).
// Reading the sources is harmless; the danger is the output, so it follows the extraction destination
// rules (home folder or a folder chosen in the shell's own dialog), never lies inside a source, and
// replaces no file unless asked.
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';

type AuthoringCall = 'iso:plan-create' | 'iso:create' | 'iso:plan-remaster' | 'iso:remaster' | 'iso:pick-output' | 'iso:pick-sources';

const notYet = (name: string) => async (): Promise<never> => {
  throw new CodedError('unsupported', `${name} is not built yet`);
};

export const authoringHandlers: HandlerTable<AuthoringCall> = {
  'iso:plan-create': notYet('iso:plan-create'),
  'iso:create': notYet('iso:create'),
  'iso:plan-remaster': notYet('iso:plan-remaster'),
  'iso:remaster': notYet('iso:remaster'),
  'iso:pick-output': notYet('iso:pick-output'),
  'iso:pick-sources': notYet('iso:pick-sources'),
};
