// `files:*`: the in-app file dialog of the web shell (issue 17). Stubs until built.
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';

export const fileHandlers: HandlerTable<'files:places' | 'files:list'> = {
  'files:places': () => Promise.reject(new CodedError('unsupported', 'files:places is not built yet')),
  'files:list': () => Promise.reject(new CodedError('unsupported', 'files:list is not built yet')),
};
