// The Electron transport: the preload's `window.isotope` bridge.
import type { Bridge } from '../../shared/bridge.ts';
import type { Transport } from './transport.ts';

export function createBridgeTransport(bridge: Bridge): Transport {
  return {
    call: (method, request) => bridge.calls[method](request),
    subscribe: (name, listener) => bridge.events[name](listener),
    pathForFile: (file) => bridge.pathForFile(file),
  };
}
