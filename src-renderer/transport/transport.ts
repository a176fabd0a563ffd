// How the renderer reaches the engine: the Electron preload bridge or the web shell's WebSocket.
// Both carry exactly the contract; api.ts picks one.
import type { CallName, CallRequest, CallResponse, EventName, Events } from '../../shared/contract.ts';
import type { Result } from '../../shared/result.ts';

export interface Transport {
  call<K extends CallName>(method: K, request: CallRequest<K>): Promise<Result<CallResponse<K>>>;
  subscribe<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void;
  /** The engine-side path of a dropped file, when the shell can know it (Electron). */
  pathForFile(file: File): string | null;
}
