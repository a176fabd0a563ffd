// How a page of the web shell proves it holds the per-run token. The token reaches the page in the
// URL fragment (`#token=...`: browsers never send a fragment to any server, so it is in no request
// line, log or Referer) and goes to the engine inside the WebSocket handshake, as one of the
// subprotocols the page offers (RFC 6455 4.1, Sec-WebSocket-Protocol). Not a cookie: cookies are
// shared by every port of a host (RFC 6265 8.5), so Chromium sent them to other local servers.
// Not the query string: request lines end up in logs. The handshake, not a first message: the shell
// refuses a client without the token before it holds a WebSocket, so there is no half-open state.

/** The subprotocol the shell answers with; it never echoes the one carrying the token. */
export const webShellProtocol = 'isotope.v1';

/** Subprotocol values are RFC 7230 tokens: the hex token fits after this prefix as it is. */
export const tokenProtocolPrefix = 'isotope.token.';

/** The URL fragment key the shell's printed address carries the token in: `http://127.0.0.1:PORT/#token=...`. */
export const tokenFragmentKey = 'token';

export function tokenProtocol(token: string): string {
  return `${tokenProtocolPrefix}${token}`;
}

/** The token among the offered subprotocols, or null when none carries one. */
export function tokenFromProtocols(offered: readonly string[]): string | null {
  const carrier = offered.find((protocol) => protocol.startsWith(tokenProtocolPrefix));
  return carrier === undefined ? null : carrier.slice(tokenProtocolPrefix.length);
}
