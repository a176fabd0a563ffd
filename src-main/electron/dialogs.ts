// Native dialogs for the desktop shell.
import { dialog, type BrowserWindow } from 'electron';

export const imageFileFilters = [
  { name: 'Disk images', extensions: ['iso', 'img', 'raw', 'bin', 'cue', 'nrg', 'udf', 'gz', 'xz', 'bz2', 'zst', 'zip'] },
  { name: 'All files', extensions: ['*'] },
];

export async function pickImageFile(window: BrowserWindow): Promise<string | null> {
  const choice = await dialog.showOpenDialog(window, {
    title: 'Open an image',
    properties: ['openFile'],
    filters: imageFileFilters,
  });
  return choice.canceled ? null : (choice.filePaths[0] ?? null);
}
