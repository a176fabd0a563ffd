// The web shell's WebSocket framing of the contract: JSON text frames, one call or answer or event
// each. Incoming frames are validated here; the call's own argument is validated by the service.
import * as v from 'valibot';

export const incomingMessageSchema = v.strictObject({
  kind: v.literal('call'),
  id: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
  method: v.pipe(v.string(), v.maxLength(100)),
  request: v.unknown(),
});

export type IncomingMessage = v.InferOutput<typeof incomingMessageSchema>;

/** The frame as a contract call, or null when it is not one. */
export function parseIncomingMessage(frame: unknown): IncomingMessage | null {
  const parsed = v.safeParse(incomingMessageSchema, frame);
  return parsed.success ? parsed.output : null;
}

export type OutgoingMessage =
  { readonly kind: 'result'; readonly id: number; readonly result: unknown } | { readonly kind: 'event'; readonly name: string; readonly payload: unknown };

/** Largest frame a client may send; every contract request is small plain data. */
export const maxIncomingFrameBytes = 1024 * 1024;
