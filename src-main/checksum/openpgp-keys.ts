// Reading OpenPGP keys (armored or binary transferable public keys, RFC 9580 section 10.1) and
// summarising them for people: fingerprint, user IDs, algorithm, creation, expiry and revocation.
import { readFile, stat } from 'node:fs/promises';
import type { Key, PublicKey } from 'openpgp';
import { loadOpenpgp } from './load-openpgp.ts';
import type { KeySummary } from '../../shared/checksum.ts';
import { CodedError } from '../jobs/errors.ts';

/** Key files beyond this are refused (a distribution's archive keyring is a few hundred KiB). */
export const maxKeyFileBytes = 10 * 1024 * 1024;
/** At most this many keys are read from one file. */
export const maxKeysPerFile = 1000;

/** A key file that is not readable as OpenPGP keys; the message says why. */
export class KeyFileError extends CodedError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('invalid-request', `${path}: ${message}`);
    this.name = 'KeyFileError';
    this.path = path;
  }
}

export async function readKeyFile(path: string): Promise<PublicKey[]> {
  const stats = await stat(path);
  if (!stats.isFile()) throw new KeyFileError(path, 'not a regular file');
  if (stats.size > maxKeyFileBytes) throw new KeyFileError(path, `${stats.size} bytes, more than the ${maxKeyFileBytes}-byte limit for key files`);
  return parseKeys(await readFile(path), path);
}

export async function parseKeys(bytes: Uint8Array, sourceName: string): Promise<PublicKey[]> {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 64 * 1024));
  const { readKeys } = await loadOpenpgp();
  let keys: Key[];
  try {
    keys = text.includes('-----BEGIN PGP ') ? await readKeys({ armoredKeys: new TextDecoder().decode(bytes) }) : await readKeys({ binaryKeys: bytes });
  } catch (error) {
    throw new KeyFileError(sourceName, `not an OpenPGP key file (${error instanceof Error ? error.message : String(error)})`);
  }
  if (keys.length > maxKeysPerFile) throw new KeyFileError(sourceName, `${keys.length} keys, more than ${maxKeysPerFile}`);
  // Only public parts are ever kept: Isotope verifies, it never signs.
  return keys.map((key) => key.toPublic());
}

export function fingerprintOf(key: Key): string {
  return key.getFingerprint().toUpperCase();
}

export async function summarizeKey(key: Key): Promise<KeySummary> {
  const info = key.getAlgorithmInfo();
  const algorithm =
    'curve' in info && info.curve ? `${info.algorithm} (${info.curve})` : 'bits' in info && info.bits ? `${info.algorithm} ${info.bits}` : info.algorithm;
  return {
    fingerprint: fingerprintOf(key),
    keyId: key.getKeyID().toHex().toUpperCase(),
    userIds: key.getUserIDs(),
    algorithm,
    createdMs: key.getCreationTime().getTime(),
    expiresMs: await expirationMs(key),
    revoked: await isKeyRevoked(key),
  };
}

/** When the key expires (epoch ms), or null if never; self-signatures that fail to verify count as no expiry info. */
export async function expirationMs(key: Key): Promise<number | null> {
  try {
    const expiration = await key.getExpirationTime();
    return expiration instanceof Date ? expiration.getTime() : null;
  } catch {
    return null;
  }
}

export async function isKeyRevoked(key: Key): Promise<boolean> {
  try {
    return await key.isRevoked();
  } catch {
    return false;
  }
}
