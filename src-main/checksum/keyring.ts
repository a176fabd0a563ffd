// The user's keyring, managed by Isotope: one armored public key per file, named by fingerprint, in
// `<data folder>/keyring/`. Importing a key already present merges it (new user IDs, revocations).
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PublicKey } from 'openpgp';
import type { KeySummary } from '../../shared/checksum.ts';
import { fingerprintOf, parseKeys, readKeyFile, summarizeKey } from './openpgp-keys.ts';
import { CodedError } from '../jobs/errors.ts';

/** A keyring with more files than this is not read further (a user keyring holds a handful). */
const maxKeyringFiles = 10_000;

export class KeyNotFoundError extends CodedError {
  constructor(fingerprint: string, detail = '') {
    super('not-found', `no key with fingerprint ${fingerprint} in the keyring${detail}`);
    this.name = 'KeyNotFoundError';
  }
}

export function keyringDir(dataDir: string): string {
  return join(dataDir, 'keyring');
}

export async function loadKeyring(dataDir: string): Promise<PublicKey[]> {
  const dir = keyringDir(dataDir);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /^[0-9A-F]{40,64}\.asc$/.test(name)).slice(0, maxKeyringFiles);
  } catch {
    return []; // no keyring yet
  }
  const keys: PublicKey[] = [];
  for (const name of names.sort()) keys.push(...(await parseKeys(await readFile(join(dir, name)), join(dir, name))));
  return keys;
}

export async function listKeys(dataDir: string): Promise<KeySummary[]> {
  return Promise.all((await loadKeyring(dataDir)).map((key) => summarizeKey(key)));
}

export async function importKeys(dataDir: string, keyFilePath: string): Promise<KeySummary[]> {
  return addKeys(dataDir, await readKeyFile(keyFilePath));
}

/** Adds keys already read (the service shows them to the user first, then adds exactly those). */
export async function addKeys(dataDir: string, incoming: readonly PublicKey[]): Promise<KeySummary[]> {
  const existing = new Map((await loadKeyring(dataDir)).map((key) => [fingerprintOf(key), key]));
  const dir = keyringDir(dataDir);
  await mkdir(dir, { recursive: true });
  const imported: KeySummary[] = [];
  for (const key of incoming) {
    const fingerprint = fingerprintOf(key);
    const previous = existing.get(fingerprint);
    const merged = previous ? await previous.update(key) : key;
    const keyPath = join(dir, `${fingerprint}.asc`);
    const temporaryPath = `${keyPath}.${process.pid}.tmp`;
    await writeFile(temporaryPath, merged.armor());
    await rename(temporaryPath, keyPath);
    existing.set(fingerprint, merged);
    imported.push(await summarizeKey(merged));
  }
  return imported;
}

/** Removes the key with this fingerprint (spaces and case ignored); a unique 16-digit key ID is accepted too. */
export async function removeKey(dataDir: string, fingerprintOrKeyId: string): Promise<KeySummary> {
  const summary = await findKey(dataDir, fingerprintOrKeyId);
  await rm(join(keyringDir(dataDir), `${summary.fingerprint}.asc`));
  return summary;
}

/** The key with this fingerprint (spaces and case ignored) or unique 16-digit key ID, without changing anything. */
export async function findKey(dataDir: string, fingerprintOrKeyId: string): Promise<KeySummary> {
  const wanted = fingerprintOrKeyId.replace(/\s+/g, '').replace(/^0x/i, '').toUpperCase();
  const keys = await loadKeyring(dataDir);
  const matches = keys.filter((key) => {
    const fingerprint = fingerprintOf(key);
    return fingerprint === wanted || (wanted.length === 16 && fingerprint.endsWith(wanted));
  });
  const [key] = matches;
  if (!key) throw new KeyNotFoundError(wanted);
  if (matches.length > 1) throw new KeyNotFoundError(wanted, ` (the key ID matches ${matches.length} keys: give the full fingerprint)`);
  return summarizeKey(key);
}
