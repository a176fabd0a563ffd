// The typed ipcMain wrapper: one handler per contract call, each checking the sender frame before
// the service validates the argument. Events go to the window's webContents on the same prefix.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { callNames, ipcChannelPrefix, type EventName, type Events } from '../../shared/contract.ts';
import { fail, type Result } from '../../shared/result.ts';
import type { Service } from '../service/service.ts';
import { isTrustedSender, type SenderFrame } from './guards.ts';

/** The part of an invoke event the guard looks at (so it is testable without Electron). */
export interface InvokeSource {
  readonly senderFrame: SenderFrame | null;
}

/** Answers one IPC call: refuses untrusted senders, then lets the service validate and run it. */
export function handleIpcCall(service: Service, source: InvokeSource, method: string, request: unknown): Promise<Result<unknown>> {
  if (!isTrustedSender(source.senderFrame)) {
    return Promise.resolve(fail({ code: 'forbidden', message: `${method}: sender frame is not the Isotope renderer` }));
  }
  return service.invoke(method, request);
}

export function registerIpcHandlers(ipcMain: IpcMain, service: Service): void {
  for (const method of callNames) {
    ipcMain.handle(`${ipcChannelPrefix}${method}`, (event: IpcMainInvokeEvent, request: unknown) => handleIpcCall(service, event, method, request));
  }
}

/** Forwards engine events to one window; returns the unsubscribe function. */
export function forwardEvents(service: Service, contents: WebContents): () => void {
  return service.events.subscribe(<K extends EventName>(name: K, payload: Events[K]) => {
    if (!contents.isDestroyed()) contents.send(`${ipcChannelPrefix}${name}`, payload);
  });
}
