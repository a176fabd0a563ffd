// The web shell's gatekeeper, pure so it is tested without a server. The shell listens on 127.0.0.1
// only; on top of that every request must carry the per-run token, name our own Host (defeats DNS
// rebinding: a hostile domain resolving to 127.0.0.1 still sends its own name) and, when a browser
// says where it comes from, come from our own origin (defeats CSRF and cross-site WebSockets).
import { timingSafeEqual } from 'node:crypto';

export interface GuardSettings {
  readonly port: number;
  readonly token: string;
}

export interface RequestFacts {
  readonly host: string | undefined;
  readonly origin: string | undefined;
  /** The token from the query string (`?token=`), if any. */
  readonly queryToken: string | null;
  /** The token from our cookie, if any. */
  readonly cookieToken: string | null;
  /** WebSocket upgrades must name their origin: browsers always send it, so its absence is suspect. */
  readonly requireOrigin: boolean;
}

export type GuardVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export function allowedHosts(port: number): readonly string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function allowedOrigins(port: number): readonly string[] {
  return allowedHosts(port).map((host) => `http://${host}`);
}

/** The cookie carries the port in its name: cookies are shared between ports of one host. */
export function tokenCookieName(port: number): string {
  return `isotope_token_${port}`;
}

export function checkRequest(settings: GuardSettings, facts: RequestFacts): GuardVerdict {
  if (facts.host === undefined || !allowedHosts(settings.port).includes(facts.host.toLowerCase())) {
    return { allowed: false, reason: `Host ${JSON.stringify(facts.host ?? null)} is not this shell` };
  }
  if (facts.origin === undefined) {
    if (facts.requireOrigin) return { allowed: false, reason: 'Origin header missing' };
  } else if (!allowedOrigins(settings.port).includes(facts.origin.toLowerCase())) {
    return { allowed: false, reason: `Origin ${JSON.stringify(facts.origin)} is foreign` };
  }
  const presented = facts.queryToken ?? facts.cookieToken;
  if (presented === null || !tokensEqual(presented, settings.token)) {
    return { allowed: false, reason: presented === null ? 'token missing' : 'token wrong' };
  }
  return { allowed: true };
}

export function readCookie(cookieHeader: string | undefined, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return null;
}

function tokensEqual(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  // timingSafeEqual needs equal lengths; the length of a random token is no secret.
  return a.length === b.length && timingSafeEqual(a, b);
}
