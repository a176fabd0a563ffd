// "Choose a file or folder", one way for every screen (issue 17). Electron keeps its native dialogs
// (the engine's `image:pick` call); the web shell, which has none, shows the
// in-app dialog the engine serves with `files:places` and `files:list`. Callers only say what they
// want: `pickPath({ purpose, title })` answers the chosen absolute path, or null when dismissed.
import { mount, unmount } from 'svelte';
import type { AppDescription } from '../../shared/app.ts';
import type { FilePickPurpose } from '../../shared/files.ts';
import type { EngineClient } from '../api.ts';
import FilePickerDialog from '../components/files/FilePickerDialog.svelte';
import { FileBrowser } from './file-browser.svelte.ts';
import { focusOpener, returnFocus } from './focus-return.ts';

export interface PickPathOptions {
  readonly purpose: FilePickPurpose;
  /** The dialog's heading ("Open an image", "Extract to"). */
  readonly title: string;
  /** Where the in-app dialog starts; the engine's start place (Downloads, else home) when absent. */
  readonly startPath?: string;
  /** Said inside the in-app dialog: why it opened when the user did not ask for it (a native dialog has no room for it). */
  readonly notice?: string;
}

let picker: { readonly client: EngineClient; readonly description: Promise<AppDescription | null> } | null = null;

/**
 * Hands the picker the engine connection and the engine's description as the image session fetches
 * it at start-up (whether Electron's native dialogs are there, the home folder); main.ts calls it
 * once, before the app mounts.
 */
export function configureFilePicker(client: EngineClient, appDescription: Promise<AppDescription | null>): void {
  picker = { client, description: appDescription };
}

/** The chosen absolute path, or null when the user dismissed the dialog (or no dialog could show). */
export async function pickPath(options: PickPathOptions): Promise<string | null> {
  if (picker === null) return null;
  const { client } = picker;
  const app = await picker.description;
  if (app?.canPickFiles) return pickNatively(client, options);
  return pickInApp(new FileBrowser(client, options.purpose, app?.homeFolder ?? '/'), options);
}

/**
 * The in-app dialog, mounted over the page for one choice. When it closes (a choice, Cancel, Esc)
 * the focus goes back to what opened it, as a native dialog's would (WAI-ARIA APG dialog pattern;
 * state/focus-return.ts).
 */
function pickInApp(browser: FileBrowser, options: PickPathOptions): Promise<string | null> {
  const opener = focusOpener();
  let settled = false;
  return new Promise((resolve) => {
    const dialog = mount(FilePickerDialog, {
      target: document.body,
      props: {
        browser,
        title: options.title,
        ...(options.notice === undefined ? {} : { notice: options.notice }),
        onclose: (path: string | null) => {
          if (settled) return;
          settled = true;
          void unmount(dialog);
          returnFocus(opener);
          resolve(path);
        },
      },
    });
    void browser.start(options.startPath);
  });
}

/** Electron's native dialogs, through the engine's `image:pick` (a folder chosen there may then receive an extraction). */
async function pickNatively(client: EngineClient, options: PickPathOptions): Promise<string | null> {
  const result = await client.call('image:pick', { purpose: options.purpose, title: options.title });
  return result.ok ? result.value.path : null;
}
