// Small helpers the net/ and download/ tests share: deterministic bytes, their SHA-256, and the
// CodedError a promise rejects with.
import { createHash } from 'node:crypto';
import { CodedError } from '../../src-main/jobs/errors.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';

/** `sizeBytes` pseudo-random bytes, the same for the same seed. */
export function seededBytes(sizeBytes: number, seed: number): Buffer {
  const random = createSeededRandom(seed);
  const bytes = Buffer.allocUnsafe(sizeBytes);
  for (let index = 0; index < sizeBytes; index += 1) bytes[index] = Math.floor(random() * 256);
  return bytes;
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The CodedError a promise rejects with (the test fails when it resolves). */
export async function codedErrorOf(promise: Promise<unknown>): Promise<CodedError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection, the promise resolved'),
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof CodedError)) throw error;
  return error;
}
