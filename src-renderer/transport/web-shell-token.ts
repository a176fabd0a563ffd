// The web shell's per-run token on the page side (shared/web-shell-protocol.ts says how it travels).
// It arrives in the URL fragment, is kept in this tab's sessionStorage (scoped to this origin, port
// included, and to this tab; a reload keeps working) and is removed from the address bar at once, so
// it is not bookmarked, copied with the address or left in the history.
import { tokenFragmentKey } from '../../shared/web-shell-protocol.ts';

const storageKey = 'isotope.webShellToken';

/** The token from the fragment (then stored and removed from the address), else the one stored; null without either. */
export function takeWebShellToken(location: Location, history: History, storage: Storage | null): string | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromFragment = fragment.get(tokenFragmentKey);
  if (fromFragment === null) return readStored(storage);
  try {
    storage?.setItem(storageKey, fromFragment);
  } catch {
    // Storage full or disabled: the token still works until the page is reloaded.
  }
  fragment.delete(tokenFragmentKey);
  const rest = fragment.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest === '' ? '' : `#${rest}`}`);
  return fromFragment;
}

function readStored(storage: Storage | null): string | null {
  try {
    return storage?.getItem(storageKey) ?? null;
  } catch {
    return null;
  }
}
