// Engine-issued confirmations for destructive and trust-changing calls (a flash, a keyring change).
// The engine issues one for exactly what it showed (drive identities, image version, options, key
// fingerprints); the second call names it, and the engine checks that nothing it is bound to changed
// before acting. A caller of the contract can replay nothing: each confirmation is single-use and
// expires after a few minutes, and its id is 128 random bits, never derived from the request.
import { randomBytes } from 'node:crypto';
import type { KeySummary } from '../../shared/checksum.ts';
import type { FlashPlan, FormatPlan } from '../../shared/flash.ts';
import type { DuplicatorPlan } from '../../shared/queue.ts';
import { CodedError } from '../jobs/errors.ts';

/** What a shell with its own trusted interface (Electron's main process) asks its user before the engine acts. */
export type ShellConfirmation =
  | { readonly kind: 'flash'; readonly plan: Omit<FlashPlan, 'confirmationId' | 'expiresAtMs'> }
  | { readonly kind: 'format'; readonly plan: Omit<FormatPlan, 'confirmationId' | 'expiresAtMs'> }
  | { readonly kind: 'keys-import'; readonly path: string; readonly keys: readonly KeySummary[] }
  | { readonly kind: 'keys-remove'; readonly key: KeySummary }
  /** A queue: every pair's plan, confirmed once. */
  | { readonly kind: 'queue'; readonly plans: readonly Omit<FlashPlan, 'confirmationId' | 'expiresAtMs'>[] }
  /** Duplicator mode: one image to every stick inserted from now on. */
  | { readonly kind: 'duplicator'; readonly plan: Omit<DuplicatorPlan, 'confirmationId' | 'expiresAtMs'> };

/** Resolves true only when the user accepted; the renderer cannot answer it. */
export type ShellConfirm = (request: ShellConfirmation) => Promise<boolean>;

/** Long enough to read a dialog and type a name; short enough that a plan cannot go stale in a drawer. */
export const confirmationLifetimeMs = 5 * 60 * 1000;

/** At most this many unused confirmations are kept (a caller asking in a loop cannot grow memory). */
const maxPending = 64;

export type ConfirmationKind = 'flash' | 'format' | 'keys-import' | 'keys-remove' | 'queue' | 'duplicator';

export interface IssuedConfirmation {
  readonly confirmationId: string;
  readonly expiresAtMs: number;
}

interface Pending {
  readonly kind: ConfirmationKind;
  readonly binding: unknown;
  readonly expiresAtMs: number;
}

export interface Confirmations {
  /** Issues a confirmation for `binding` (plain data: what was shown and what it is bound to). */
  issue(kind: ConfirmationKind, binding: unknown): IssuedConfirmation;
  /**
   * Uses up the confirmation and answers its binding. Single use: it is gone after this call, even
   * when the caller's later checks refuse. Unknown, expired or other-kind ids are `confirmation-required`.
   */
  consume(kind: ConfirmationKind, confirmationId: string): unknown;
}

export function createConfirmations(clock: () => number = Date.now): Confirmations {
  const pending = new Map<string, Pending>();
  const dropExpired = (nowMs: number): void => {
    for (const [id, entry] of pending) if (entry.expiresAtMs <= nowMs) pending.delete(id);
  };
  return {
    issue(kind, binding) {
      const nowMs = clock();
      dropExpired(nowMs);
      // The oldest goes first: Map keeps insertion order.
      while (pending.size >= maxPending) pending.delete(pending.keys().next().value as string);
      const confirmationId = randomBytes(16).toString('hex');
      const expiresAtMs = nowMs + confirmationLifetimeMs;
      pending.set(confirmationId, { kind, binding, expiresAtMs });
      return { confirmationId, expiresAtMs };
    },
    consume(kind, confirmationId) {
      const entry = pending.get(confirmationId);
      pending.delete(confirmationId);
      const nowMs = clock();
      if (entry === undefined)
        throw new CodedError('confirmation-required', `confirmation ${confirmationId.slice(0, 64)} was not issued by this engine, or was already used`);
      if (entry.kind !== kind) throw new CodedError('confirmation-required', `confirmation ${confirmationId} was issued for ${entry.kind}, not ${kind}`);
      if (entry.expiresAtMs <= nowMs) {
        throw new CodedError(
          'confirmation-required',
          `confirmation ${confirmationId} expired ${nowMs - entry.expiresAtMs} ms ago (they last ${confirmationLifetimeMs} ms)`,
        );
      }
      return entry.binding;
    },
  };
}

/**
 * The first field where `now` differs from what the confirmation was bound to ("targets[0].serial:
 * 4C530001 -> 4C530002"), or null when they are the same. Both are plain data built by one function,
 * so keys are compared in order.
 */
export function bindingDifference(bound: unknown, now: unknown, where = ''): string | null {
  if (Object.is(bound, now)) return null;
  if (typeof bound !== 'object' || typeof now !== 'object' || bound === null || now === null || Array.isArray(bound) !== Array.isArray(now)) {
    return `${where || '(value)'}: ${JSON.stringify(bound)} -> ${JSON.stringify(now)}`;
  }
  const boundRecord = bound as Record<string, unknown>;
  const nowRecord = now as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(boundRecord), ...Object.keys(nowRecord)])];
  for (const key of keys) {
    const path = Array.isArray(bound) ? `${where}[${key}]` : where === '' ? key : `${where}.${key}`;
    const difference = bindingDifference(boundRecord[key], nowRecord[key], path);
    if (difference !== null) return difference;
  }
  return null;
}
