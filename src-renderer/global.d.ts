import type { Bridge } from '../shared/bridge.ts';

declare global {
  interface Window {
    /** Present only in the Electron shell, exposed by the preload. */
    readonly isotope?: Bridge;
  }
}

export {};
