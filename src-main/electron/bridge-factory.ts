// Builds the object the preload exposes as `window.isotope`: exactly one method per contract call
// and one subscribe function per event, generated from the contract's name lists. Pure (takes the
// IPC functions as arguments) so the surface is tested without Electron.
import type { Bridge } from '../../shared/bridge.ts';
import { callNames, eventNames, ipcChannelPrefix } from '../../shared/contract.ts';
import type { Result } from '../../shared/result.ts';

export interface BridgeIpc {
  invoke(channel: string, request: unknown): Promise<Result<unknown>>;
  /** Subscribes to a channel and returns the unsubscribe function; the listener gets the payload only. */
  on(channel: string, listener: (payload: unknown) => void): () => void;
  pathForFile(file: object): string | null;
}

export function createBridge(ipc: BridgeIpc): Bridge {
  const calls = Object.fromEntries(callNames.map((name) => [name, (request: unknown) => ipc.invoke(`${ipcChannelPrefix}${name}`, request)]));
  const events = Object.fromEntries(eventNames.map((name) => [name, (listener: (payload: unknown) => void) => ipc.on(`${ipcChannelPrefix}${name}`, listener)]));
  return Object.freeze({
    calls: Object.freeze(calls) as unknown as Bridge['calls'],
    events: Object.freeze(events) as unknown as Bridge['events'],
    pathForFile: (file: object) => ipc.pathForFile(file),
  });
}
