// OpenPGP signature checks over a sums file (RFC 9580): detached signatures (binary `.gpg`/`.sig`, or
// armored `.asc`/`.sign`) and cleartext signatures (section 7). The cryptography is openpgp.js; the
// verdict is ours: "good" needs a valid signature by a key in the keyring that is neither expired nor
// revoked now, and every other outcome says which it is.
import type { PublicKey, Subkey } from 'openpgp';
import { loadOpenpgp } from './load-openpgp.ts';
import type { SignatureCheck, SignatureStatus, SignerKey } from '../../shared/checksum.ts';
import { expirationMs, fingerprintOf, isKeyRevoked } from './openpgp-keys.ts';

export interface DetachedSignatureInput {
  readonly kind: 'detached';
  readonly signedBytes: Uint8Array;
  readonly signatureBytes: Uint8Array;
  readonly signaturePath: string;
}

export interface ClearSignedInput {
  readonly kind: 'clear-signed';
  readonly armoredText: string;
  readonly signaturePath: string;
}

export interface SignatureVerification extends SignatureCheck {
  /** For a clear-signed file: the signed text as openpgp.js read it (to cross-check what was parsed). */
  readonly signedText: string | null;
}

/** A signature file with more signatures than this is refused (real ones carry one or two). */
const maxSignaturesPerFile = 16;

export async function checkSignature(
  input: DetachedSignatureInput | ClearSignedInput,
  keyring: readonly PublicKey[],
  nowMs: number = Date.now(),
): Promise<SignatureVerification> {
  const base = { signaturePath: input.signaturePath, kind: input.kind } as const;
  const { createMessage, readCleartextMessage, readSignature, verify } = await loadOpenpgp();
  let verification: Awaited<ReturnType<typeof verify>>;
  let signedText: string | null = null;
  try {
    if (input.kind === 'detached') {
      const armored = new TextDecoder().decode(input.signatureBytes.subarray(0, 64)).includes('-----BEGIN PGP SIGNATURE-----');
      const signature = armored
        ? await readSignature({ armoredSignature: new TextDecoder().decode(input.signatureBytes) })
        : await readSignature({ binarySignature: input.signatureBytes });
      const message = await createMessage({ binary: input.signedBytes });
      if (signature.packets.length > maxSignaturesPerFile) throw new Error(`${signature.packets.length} signatures, more than ${maxSignaturesPerFile}`);
      verification = await verify({ message, signature, verificationKeys: [...keyring], expectSigned: false });
    } else {
      const message = await readCleartextMessage({ cleartextMessage: input.armoredText });
      if (message.getSigningKeyIDs().length > maxSignaturesPerFile) throw new Error(`more than ${maxSignaturesPerFile} signatures`);
      signedText = message.getText();
      verification = await verify({ message, verificationKeys: [...keyring], expectSigned: false });
    }
  } catch (error) {
    return { ...base, status: 'bad', signer: null, createdMs: null, reason: `unreadable signature: ${messageOf(error)}`, signedText };
  }
  if (verification.signatures.length === 0) {
    return { ...base, status: 'bad', signer: null, createdMs: null, reason: 'the signature file holds no signature', signedText };
  }

  const outcomes: Outcome[] = [];
  for (const entry of verification.signatures) {
    const packet = (await entry.signature).packets[0];
    const keyId = entry.keyID.toHex().toUpperCase();
    const issuerFingerprint = packet?.issuerFingerprint ? Buffer.from(packet.issuerFingerprint).toString('hex').toUpperCase() : null;
    const createdMs = packet?.created ? packet.created.getTime() : null;
    const key = keyring.find((candidate) => candidate.getKeys(entry.keyID).length > 0);
    if (!key) {
      entry.verified.catch(() => undefined); // it rejects for want of the key: expected, not unhandled
      outcomes.push({
        status: 'unknown-key',
        signer: { fingerprint: issuerFingerprint ?? keyId, keyId, userIds: [] },
        createdMs,
        reason: `signed by key ${issuerFingerprint ?? keyId}, which is not in the keyring`,
      });
      continue;
    }
    outcomes.push(await judgeKnownSigner(entry.verified, key, keyId, createdMs, nowMs));
  }
  return { ...base, ...pickOutcome(outcomes), signedText };
}

interface Outcome {
  readonly status: SignatureStatus;
  readonly signer: SignerKey | null;
  readonly createdMs: number | null;
  readonly reason: string | null;
}

async function judgeKnownSigner(verified: Promise<true>, key: PublicKey, keyId: string, createdMs: number | null, nowMs: number): Promise<Outcome> {
  const signer: SignerKey = { fingerprint: fingerprintOf(key), keyId, userIds: key.getUserIDs() };
  let cryptoError: string | null = null;
  try {
    await verified;
  } catch (error) {
    cryptoError = messageOf(error);
  }
  // The key's state now, whatever openpgp.js concluded: a signature made before the key expired or
  // was revoked is mathematically valid but is not green (the brief: distinguish expired/revoked keys).
  const subkey = key.getSubkeys().find((candidate) => candidate.getKeyID().toHex().toUpperCase() === keyId);
  const subkeyState = subkey ? await subkeyStateAt(subkey, nowMs) : 'valid';
  const revoked = (await isKeyRevoked(key)) || subkeyState === 'revoked';
  const expiresMs = earliest(await expirationMs(key), subkey ? await subkeyExpirationMs(subkey) : null);
  const expired = expiresMs !== null && expiresMs <= nowMs;
  if (cryptoError !== null && /digest did not match|signature.*(invalid|mismatch)|verification failed/i.test(cryptoError)) {
    return { status: 'bad', signer, createdMs, reason: `signature does not match the signed data: ${cryptoError}` };
  }
  if (revoked) return { status: 'revoked-key', signer, createdMs, reason: `key ${signer.fingerprint} has been revoked` };
  if (expired) {
    return { status: 'expired-key', signer, createdMs, reason: `key ${signer.fingerprint} expired on ${new Date(expiresMs).toISOString()}` };
  }
  if (cryptoError !== null) return { status: 'bad', signer, createdMs, reason: cryptoError };
  return { status: 'good', signer, createdMs, reason: null };
}

/** openpgp.js's Subkey.verify throws "Subkey is revoked" / "... expired" (its only report of either). */
async function subkeyStateAt(subkey: Subkey, nowMs: number): Promise<'valid' | 'revoked' | 'other'> {
  try {
    await subkey.verify(new Date(nowMs));
    return 'valid';
  } catch (error) {
    return /revoked/i.test(messageOf(error)) ? 'revoked' : 'other';
  }
}

async function subkeyExpirationMs(subkey: Subkey): Promise<number | null> {
  try {
    const expiration = await subkey.getExpirationTime();
    return expiration instanceof Date ? expiration.getTime() : null;
  } catch {
    return null;
  }
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * One verdict for a file with several signatures: a bad signature by a known key means the data was
 * altered, so it wins; then any good one; then revoked, expired, unknown.
 */
function pickOutcome(outcomes: readonly Outcome[]): Outcome {
  const order: readonly SignatureStatus[] = ['bad', 'good', 'revoked-key', 'expired-key', 'unknown-key'];
  for (const status of order) {
    const outcome = outcomes.find((candidate) => candidate.status === status);
    if (outcome) return outcome;
  }
  return outcomes[0] as Outcome;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
