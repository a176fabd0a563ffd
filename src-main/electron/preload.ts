// The preload script (sandboxed, bundled to CommonJS): exposes the contract bridge and nothing
// else. The renderer never sees ipcRenderer, Node or Electron objects, and listeners receive only
// the payload (never the IPC event, which would leak `sender`).
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { bridgeGlobalName } from '../../shared/contract.ts';
import type { Result } from '../../shared/result.ts';
import { createBridge } from './bridge-factory.ts';

const bridge = createBridge({
  invoke: (channel, request) => ipcRenderer.invoke(channel, request) as Promise<Result<unknown>>,
  on: (channel, listener) => {
    const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
  pathForFile: (file) => {
    try {
      return webUtils.getPathForFile(file as File) || null;
    } catch {
      return null;
    }
  },
});

contextBridge.exposeInMainWorld(bridgeGlobalName, bridge);
