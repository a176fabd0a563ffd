// `download:start` and `downloads:*` (issue 19). Stubs until built.
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';

export const downloadHandlers: HandlerTable<'download:start' | 'downloads:list' | 'downloads:clear'> = {
  'download:start': () => Promise.reject(new CodedError('unsupported', 'download:start is not built yet')),
  'downloads:list': () => Promise.reject(new CodedError('unsupported', 'downloads:list is not built yet')),
  'downloads:clear': () => Promise.reject(new CodedError('unsupported', 'downloads:clear is not built yet')),
};
