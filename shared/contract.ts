// The contract between the renderer and the engine: every call (renderer -> engine, one plain-data
// request in, a Result back) and every event (engine -> renderer, past tense). Both the Electron
// preload bridge and the web shell's WebSocket carry exactly this, and nothing else.
import type { AppDescription } from './app.ts';
import type { ImageSummary } from './image.ts';

export interface Calls {
  /** Which shell, which version, what it can do. */
  'app:describe': { request: Record<string, never>; response: AppDescription };
  /** Show the native file dialog (Electron only; the web shell answers `unsupported`). Null when dismissed. */
  'image:pick': { request: Record<string, never>; response: { path: string | null } };
  /** Open an image by absolute path and summarise it. */
  'image:open': { request: { path: string }; response: ImageSummary };
}

export interface Events {
  /** An image was opened by any window or client attached to this engine. */
  'image:opened': ImageSummary;
}

export type CallName = keyof Calls;
export type EventName = keyof Events;
export type CallRequest<K extends CallName> = Calls[K]['request'];
export type CallResponse<K extends CallName> = Calls[K]['response'];

// Runtime lists of the names, for the preload (which generates one method per call) and for the
// transports (which refuse anything else). `satisfies` plus the exhaustiveness type below keep them
// in step with the interfaces: adding a call without listing it here is a compile error.
export const callNames = ['app:describe', 'image:pick', 'image:open'] as const satisfies readonly CallName[];
export const eventNames = ['image:opened'] as const satisfies readonly EventName[];

type Missing<All, Listed> = Exclude<All, Listed>;
const everyCallListed: Missing<CallName, (typeof callNames)[number]> extends never ? true : never = true;
const everyEventListed: Missing<EventName, (typeof eventNames)[number]> extends never ? true : never = true;
void everyCallListed;
void everyEventListed;

export function isCallName(value: unknown): value is CallName {
  return typeof value === 'string' && (callNames as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (eventNames as readonly string[]).includes(value);
}

/** The name under which the preload exposes the bridge on `window`. */
export const bridgeGlobalName = 'isotope';

/** The IPC channel prefix for calls and events, so Isotope's channels never collide with Electron's. */
export const ipcChannelPrefix = 'isotope:';
