// openpgp.js takes tens of milliseconds to import: load it on the first signature or key operation,
// not at start-up, so `isotope ls` and the app's first paint never pay for it.
import type * as OpenPgp from 'openpgp';

let loading: Promise<typeof OpenPgp> | null = null;

export function loadOpenpgp(): Promise<typeof OpenPgp> {
  loading ??= import('openpgp');
  return loading;
}
