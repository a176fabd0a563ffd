// A system notification when a write ends, in Electron only: the HTML Notification API there shows a
// native notification without a permission prompt. The web shell never asks for the permission (a
// browser tab asking to notify is noise); it shows the summary on the page instead.
import type { FlashResult } from '../../shared/flash.ts';
import { text } from '../messages.ts';

export function notifyFlashFinished(result: FlashResult): void {
  if (!window.isotope || typeof Notification === 'undefined') return;
  const title = `${text.flashDone}: ${text.outcomeNames[result.outcome] ?? result.outcome}`;
  const body = result.targets.map((target) => `${target.target}: ${target.outcome}`).join('\n');
  try {
    new Notification(title, { body });
  } catch {
    // Notifications disabled by the OS: the summary on screen says the same.
  }
}
