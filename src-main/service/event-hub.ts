// Engine -> renderer events, fanned out to every attached transport (Electron windows, WebSocket
// clients). Listeners get plain data only.
import type { EventName, Events } from '../../shared/contract.ts';

export type EventListener = <K extends EventName>(name: K, payload: Events[K]) => void;

export interface EventHub {
  emit<K extends EventName>(name: K, payload: Events[K]): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
}

export function createEventHub(): EventHub {
  const listeners = new Set<EventListener>();
  return {
    emit(name, payload) {
      for (const listener of listeners) listener(name, payload);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
