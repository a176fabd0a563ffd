// The renderer's only door to the engine. Components never call it directly: state classes do.
import { createBridgeTransport } from './transport/bridge-transport.ts';
import type { Transport } from './transport/transport.ts';
import { createWebSocketTransport } from './transport/websocket-transport.ts';

export type { Transport as EngineClient } from './transport/transport.ts';

/** Electron's preload bridge when present, else the web shell's WebSocket on the page's own host. */
export function connectToEngine(): Transport {
  if (window.isotope) return createBridgeTransport(window.isotope);
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const url = `ws://${window.location.host}/rpc?token=${encodeURIComponent(token)}`;
  return createWebSocketTransport(url);
}
