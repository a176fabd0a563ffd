// `drives:format-*`: restore a drive to an empty FAT32 or exFAT stick. PROVISIONAL until stick/
// (composeFormattedStick) lands.
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';

export const formatHandlers: HandlerTable<'drives:format-prepare' | 'drives:format-start'> = {
  'drives:format-prepare': () => Promise.reject(new CodedError('unsupported', 'formatting a drive is not available yet')),
  'drives:format-start': () => Promise.reject(new CodedError('unsupported', 'formatting a drive is not available yet')),
};
