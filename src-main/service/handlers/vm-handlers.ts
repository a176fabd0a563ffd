// `vm:*`: trying an image or a drive in QEMU (issue 18). Stubs until built.
import { CodedError } from '../../jobs/errors.ts';
import type { HandlerTable } from '../handler-types.ts';

export const vmHandlers: HandlerTable<'vm:host' | 'vm:try'> = {
  'vm:host': () => Promise.reject(new CodedError('unsupported', 'vm:host is not built yet')),
  'vm:try': () => Promise.reject(new CodedError('unsupported', 'vm:try is not built yet')),
};
