// `image:search` and `image:extract-conflicts` (issue 17). Stubs until built.
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';

export const searchHandlers: HandlerTable<'image:search' | 'image:extract-conflicts'> = {
  'image:search': () => Promise.reject(new CodedError('unsupported', 'image:search is not built yet')),
  'image:extract-conflicts': () => Promise.reject(new CodedError('unsupported', 'image:extract-conflicts is not built yet')),
};
