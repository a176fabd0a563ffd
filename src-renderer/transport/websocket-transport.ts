// The web shell transport: the contract as JSON frames over one WebSocket to the engine on
// 127.0.0.1, authenticated by the subprotocols it offers (one carries the page's token).
import type { CallName, CallRequest, CallResponse, EventName, Events } from '../../shared/contract.ts';
import { fail, type Result } from '../../shared/result.ts';
import type { Transport } from './transport.ts';

type Pending = (result: Result<unknown>) => void;

export function createWebSocketTransport(url: string, protocols: readonly string[]): Transport {
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;

  const connect = (): Promise<WebSocket> => {
    opened ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, [...protocols]);
      ws.addEventListener('open', () => {
        socket = ws;
        resolve(ws);
      });
      ws.addEventListener('message', (event) => receive(String(event.data)));
      ws.addEventListener('close', (event) => {
        // Fail what is in flight and let the next call reconnect.
        for (const [id, settle] of pending) {
          pending.delete(id);
          settle(fail({ code: 'internal', message: `connection to the engine closed (${event.code} ${event.reason})` }));
        }
        socket = null;
        opened = null;
        reject(new Error(`connection to the engine closed (${event.code})`));
      });
    });
    return opened;
  };

  const receive = (text: string): void => {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const frame = message as { kind?: unknown; id?: unknown; result?: unknown; name?: unknown; payload?: unknown };
    if (frame.kind === 'result' && typeof frame.id === 'number') {
      pending.get(frame.id)?.(frame.result as Result<unknown>);
      pending.delete(frame.id);
    } else if (frame.kind === 'event' && typeof frame.name === 'string') {
      for (const listener of listeners.get(frame.name) ?? []) listener(frame.payload);
    }
  };

  // Events need the socket even before the first call.
  void connect().catch(() => undefined);

  return {
    async call<K extends CallName>(method: K, request: CallRequest<K>): Promise<Result<CallResponse<K>>> {
      let ws: WebSocket;
      try {
        ws = socket ?? (await connect());
      } catch (error) {
        return fail({ code: 'internal', message: `cannot reach the engine: ${String(error)}` });
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve as Pending);
        ws.send(JSON.stringify({ kind: 'call', id, method, request }));
      });
    },
    subscribe<K extends EventName>(name: K, listener: (payload: Events[K]) => void) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      const untyped = listener as (payload: unknown) => void;
      set.add(untyped);
      return () => set.delete(untyped);
    },
    pathForFile: () => null, // a browser never reveals where a dropped file lives
  };
}
