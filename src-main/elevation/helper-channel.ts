// The private channel between the unprivileged engine and the elevated helper: a Unix socket and a
// one-time secret in a fresh 0700 directory under /tmp whose name carries a random token. Only the
// token (32 hex digits) appears on the helper's command line; the job itself (image and device
// paths) travels over the socket, after the helper has proved it read the secret.
import { timingSafeEqual } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Socket } from 'node:net';

export const helperDirPrefix = '/tmp/isotope-helper-';
export const tokenPattern = /^[0-9a-f]{32}$/;
/** One message is one JSON line; a longer line is a protocol violation, not a reason to buffer forever. */
const maxLineBytes = 1024 * 1024;

export function helperDirFor(token: string): string {
  if (!tokenPattern.test(token)) throw new Error('malformed helper token');
  return `${helperDirPrefix}${token}`;
}

/** True when a connection's first message carries the one-time secret (compared in constant time). */
export function provesSecret(message: Record<string, unknown>, secret: Buffer): boolean {
  const offered = typeof message['secret'] === 'string' ? Buffer.from(message['secret'], 'hex') : Buffer.alloc(0);
  return offered.length === secret.length && timingSafeEqual(offered, secret);
}

export function sendMessage(socket: Socket, message: unknown): void {
  socket.write(`${JSON.stringify(message)}\n`);
}

/** Calls `onMessage` for each JSON line; ends the socket on malformed or oversized input. */
export function onMessages(socket: Socket, onMessage: (message: Record<string, unknown>) => void): void {
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.length > maxLineBytes) return void socket.destroy();
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return void socket.destroy();
    }
    if (typeof message === 'object' && message !== null && !Array.isArray(message)) onMessage(message as Record<string, unknown>);
    else socket.destroy();
  });
}
