// The web shell's gatekeeper, pure so it is tested without a server. The shell listens on 127.0.0.1
// only; on top of that every request must name our own Host (defeats DNS rebinding: a hostile domain
// resolving to 127.0.0.1 still sends its own name) and, when a browser says where it comes from, come
// from our own origin (defeats CSRF and cross-site WebSockets). The contract itself (the WebSocket)
// also needs the per-run token; the renderer's static files need none, they hold no secret.
import { timingSafeEqual } from 'node:crypto';
import { tokenFromProtocols } from '../../shared/web-shell-protocol.ts';

export interface GuardSettings {
  readonly port: number;
  readonly token: string;
}

export interface RequestFacts {
  readonly host: string | undefined;
  readonly origin: string | undefined;
  /**
   * 'api': the WebSocket upgrade that carries the contract; it needs the token and an Origin
   * (browsers always send one on a WebSocket, so its absence is suspect). 'asset': the renderer's
   * static files, which need neither.
   */
  readonly kind: 'api' | 'asset';
  /** The token the client presented in its Sec-WebSocket-Protocol offer, if any. */
  readonly presentedToken: string | null;
}

export type GuardVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export function allowedHosts(port: number): readonly string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function allowedOrigins(port: number): readonly string[] {
  return allowedHosts(port).map((host) => `http://${host}`);
}

export function checkRequest(settings: GuardSettings, facts: RequestFacts): GuardVerdict {
  if (facts.host === undefined || !allowedHosts(settings.port).includes(facts.host.toLowerCase())) {
    return { allowed: false, reason: `Host ${JSON.stringify(facts.host ?? null)} is not this shell` };
  }
  if (facts.origin === undefined) {
    if (facts.kind === 'api') return { allowed: false, reason: 'Origin header missing' };
  } else if (!allowedOrigins(settings.port).includes(facts.origin.toLowerCase())) {
    return { allowed: false, reason: `Origin ${JSON.stringify(facts.origin)} is foreign` };
  }
  if (facts.kind === 'asset') return { allowed: true };
  const presented = facts.presentedToken;
  if (presented === null || !tokensEqual(presented, settings.token)) {
    return { allowed: false, reason: presented === null ? 'token missing' : 'token wrong' };
  }
  return { allowed: true };
}

/** The token offered in a Sec-WebSocket-Protocol header ("isotope.v1, isotope.token.<hex>"), if any. */
export function presentedTokenOf(protocolHeader: string | undefined): string | null {
  if (protocolHeader === undefined) return null;
  return tokenFromProtocols(protocolHeader.split(',').map((protocol) => protocol.trim()));
}

function tokensEqual(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  // timingSafeEqual needs equal lengths; the length of a random token is no secret.
  return a.length === b.length && timingSafeEqual(a, b);
}
