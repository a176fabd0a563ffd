// The renderer's only door to the engine. Components never call it directly: state classes do.
import { tokenProtocol, webShellProtocol } from '../shared/web-shell-protocol.ts';
import { createBridgeTransport } from './transport/bridge-transport.ts';
import type { Transport } from './transport/transport.ts';
import { createWebSocketTransport } from './transport/websocket-transport.ts';
import { takeWebShellToken } from './transport/web-shell-token.ts';

export type { Transport as EngineClient } from './transport/transport.ts';

/**
 * Electron's preload bridge when present, else the web shell's WebSocket on the page's own host,
 * offering the token from the page's address (or this tab's storage) in the handshake.
 */
export function connectToEngine(): Transport {
  if (window.isotope) return createBridgeTransport(window.isotope);
  const token = takeWebShellToken(window.location, window.history, sessionStorageOrNull());
  const protocols = token === null ? [webShellProtocol] : [webShellProtocol, tokenProtocol(token)];
  return createWebSocketTransport(`ws://${window.location.host}/rpc`, protocols);
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: the token lasts until the page is reloaded
  }
}
