// Keyring changes through the contract take two calls, so a key is never trusted silently. The first
// changes nothing: it reads the key file (or finds the key) and answers with the keys concerned and an
// engine-issued confirmation bound to their fingerprints and user IDs (and, for an import, to this
// version of the file). The second, with that id, re-reads, checks nothing changed, asks the shell's
// own dialog where there is one (Electron), and only then changes the keyring.
import { stat } from 'node:fs/promises';
import type { KeysImportRequest, KeysImportResult, KeysRemoveRequest, KeysRemoveResult, KeySummary } from '../../shared/checksum.ts';
import { fileIdentityOf, type FileIdentity } from '../checksum/hash-cache.ts';
import { addKeys, findKey, removeKey } from '../checksum/keyring.ts';
import { readKeyFile, summarizeKey } from '../checksum/openpgp-keys.ts';
import { CodedError } from '../jobs/errors.ts';
import { bindingDifference, type Confirmations, type ShellConfirm } from './confirmations.ts';

export interface KeyChangeOptions {
  readonly dataDir: string;
  readonly confirmations: Confirmations;
  readonly shellConfirm?: ShellConfirm | undefined;
}

interface ImportBinding {
  readonly file: FileIdentity;
  readonly found: readonly KeySummary[];
}

export async function importKeysConfirmed(request: KeysImportRequest, options: KeyChangeOptions): Promise<KeysImportResult> {
  const read = async (): Promise<ImportBinding & { keys: Awaited<ReturnType<typeof readKeyFile>> }> => {
    const file = fileIdentityOf(request.path, await stat(request.path));
    if (file === null) throw new CodedError('not-a-file', `${request.path} is not a regular file`);
    const keys = await readKeyFile(request.path);
    return { file, found: await Promise.all(keys.map((key) => summarizeKey(key))), keys };
  };
  if (request.confirmationId === undefined) {
    const { file, found } = await read();
    return { state: 'needs-confirmation', found, ...options.confirmations.issue('keys-import', { file, found } satisfies ImportBinding) };
  }
  const bound = options.confirmations.consume('keys-import', request.confirmationId) as ImportBinding;
  if (bound.file.path !== request.path) refuse(request.confirmationId, `it was issued for ${bound.file.path}, not ${request.path}`);
  const now = await read();
  const change = bindingDifference(bound, { file: now.file, found: now.found });
  if (change !== null) refuse(request.confirmationId, `the key file changed (${change})`);
  if (options.shellConfirm && !(await options.shellConfirm({ kind: 'keys-import', path: request.path, keys: now.found }))) {
    throw new CodedError('cancelled', 'the import was not confirmed in the confirmation dialog');
  }
  return { state: 'imported', imported: await addKeys(options.dataDir, now.keys) };
}

export async function removeKeyConfirmed(request: KeysRemoveRequest, options: KeyChangeOptions): Promise<KeysRemoveResult> {
  const found = await findKey(options.dataDir, request.fingerprint);
  if (request.confirmationId === undefined) {
    return { state: 'needs-confirmation', found, ...options.confirmations.issue('keys-remove', found) };
  }
  const bound = options.confirmations.consume('keys-remove', request.confirmationId) as KeySummary;
  const change = bindingDifference(bound, found);
  if (change !== null) refuse(request.confirmationId, `it was issued for key ${bound.fingerprint} (${change})`);
  if (options.shellConfirm && !(await options.shellConfirm({ kind: 'keys-remove', key: found }))) {
    throw new CodedError('cancelled', 'the removal was not confirmed in the confirmation dialog');
  }
  return { state: 'removed', removed: await removeKey(options.dataDir, found.fingerprint) };
}

function refuse(confirmationId: string, why: string): never {
  throw new CodedError('confirmation-required', `confirmation ${confirmationId} does not cover this change: ${why}`);
}
