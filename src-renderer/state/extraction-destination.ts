// The remembered default folder to extract into (Settings › Extraction, issue 17): kept in this
// browser profile's storage under its own key, so it never races the other settings' fields.
import { safeRead } from './settings.svelte.ts';

const storageKey = 'isotope.extract-destination.v1';
/** A folder path longer than this is not a path anyone typed or chose: it is not kept. */
const maxPathChars = 4096;

/** The stored default folder, or '' when none (or storage holds something that is not a path). */
export function readDefaultDestination(storage: Storage | null): string {
  const stored = safeRead(storage, storageKey);
  return stored !== null && stored.startsWith('/') && stored.length <= maxPathChars ? stored : '';
}

/** Keeps `path` as the default ('' forgets it); storage full or disabled keeps it for this session only. */
export function writeDefaultDestination(storage: Storage | null, path: string): void {
  try {
    if (path === '') storage?.removeItem(storageKey);
    else storage?.setItem(storageKey, path);
  } catch {
    // Storage full or disabled: the value still holds until the page is closed.
  }
}
