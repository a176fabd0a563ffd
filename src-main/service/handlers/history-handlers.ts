// `history:*` (issue 19). Stubs until built.
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';

export const historyHandlers: HandlerTable<'history:list' | 'history:export'> = {
  'history:list': () => Promise.reject(new CodedError('unsupported', 'history:list is not built yet')),
  'history:export': () => Promise.reject(new CodedError('unsupported', 'history:export is not built yet')),
};
