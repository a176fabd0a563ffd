// Where a dialog returns the focus when it closes (WAI-ARIA APG dialog pattern): the element that had
// it when the dialog opened. That element may have lost it just before (a button disabled while the
// engine prepares the plan the dialog shows), so the last element to receive the focus is remembered.

let lastFocused: HTMLElement | null = null;
let tracking = false;

/** Starts remembering the last focused element (once per page; App.svelte calls it). */
export function trackFocus(): void {
  if (tracking) return;
  tracking = true;
  document.addEventListener('focusin', (event) => {
    if (event.target instanceof HTMLElement) lastFocused = event.target;
  });
}

/** The element a dialog opening now should give the focus back to: the focused one, else the last one focused. */
export function focusOpener(): HTMLElement | null {
  const active = document.activeElement;
  if (active instanceof HTMLElement && active !== document.body) return active;
  return lastFocused;
}

/** Gives the focus back to `opener` when it is still on the page (and can take it). */
export function returnFocus(opener: HTMLElement | null): void {
  if (opener?.isConnected) opener.focus();
}
