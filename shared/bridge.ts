// The shape of what the preload exposes on `window.isotope`: one named method per call and one
// subscribe function per event, generated from the contract's name lists. No ipcRenderer, no Node.
import type { CallName, CallRequest, CallResponse, EventName, Events } from './contract.ts';
import type { Result } from './result.ts';

export type Unsubscribe = () => void;

export interface Bridge {
  readonly calls: { readonly [K in CallName]: (request: CallRequest<K>) => Promise<Result<CallResponse<K>>> };
  readonly events: { readonly [K in EventName]: (listener: (payload: Events[K]) => void) => Unsubscribe };
  /**
   * Path of a file dropped onto the window (Electron's webUtils.getPathForFile); null when unknown.
   * Typed as `object` because shared/ has no DOM types: the renderer passes a DOM `File`.
   */
  readonly pathForFile: (file: object) => string | null;
}
