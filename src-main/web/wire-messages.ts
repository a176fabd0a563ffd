// The web shell's WebSocket framing of the contract: JSON text frames, one call or answer or event
// each. Incoming frames are validated here; the call's own argument is validated by the service.
import { z } from 'zod';

export const incomingMessageSchema = z.strictObject({
  kind: z.literal('call'),
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  method: z.string().max(100),
  request: z.unknown(),
});

export type IncomingMessage = z.infer<typeof incomingMessageSchema>;

export type OutgoingMessage =
  | { readonly kind: 'result'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'event'; readonly name: string; readonly payload: unknown };

/** Largest frame a client may send; every contract request is small plain data. */
export const maxIncomingFrameBytes = 1024 * 1024;
