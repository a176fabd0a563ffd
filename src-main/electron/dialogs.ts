// Native dialogs for the desktop shell.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { dialog, type BrowserWindow } from 'electron';
import type { FilePickPurpose } from '../../shared/files.ts';
import { imageFileExtensions, keyFileExtensions } from '../files/image-names.ts';
import type { ShellConfirmation } from '../service/confirmations.ts';
import { confirmationText } from './confirmation-text.ts';

export const imageFileFilters = [
  { name: 'Disk images', extensions: [...imageFileExtensions] },
  { name: 'All files', extensions: ['*'] },
];

const keyFileFilters = [
  { name: 'OpenPGP keys', extensions: [...keyFileExtensions] },
  { name: 'All files', extensions: ['*'] },
];

/** The open dialog for an image, or for what `purpose` asks (a key file, any file, a folder), titled by the renderer. */
export async function pickOpenPath(
  window: BrowserWindow,
  request: { readonly purpose: FilePickPurpose; readonly title: string | null },
): Promise<string | null> {
  const { purpose } = request;
  const choice = await dialog.showOpenDialog(window, {
    title: request.title ?? 'Open an image',
    properties: purpose === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile'],
    filters: purpose === 'image' ? imageFileFilters : purpose === 'key-file' ? keyFileFilters : [],
  });
  return choice.canceled ? null : (choice.filePaths[0] ?? null);
}

/** A save dialog for a backup's output, opening in the home folder with the engine's suggested name. */
export async function pickBackupOutput(window: BrowserWindow, suggestedName: string): Promise<string | null> {
  const choice = await dialog.showSaveDialog(window, {
    title: 'Save the backup as',
    defaultPath: join(homedir(), suggestedName),
    filters: [
      { name: 'Disk images', extensions: ['img', 'gz', 'xz', 'zst'] },
      { name: 'All files', extensions: ['*'] },
    ],
    properties: ['showOverwriteConfirmation', 'createDirectory'],
  });
  return choice.canceled || !choice.filePath ? null : choice.filePath;
}

/** A save dialog for a new or remastered image, opening in the home folder with the suggested name. */
export async function pickIsoOutput(window: BrowserWindow, suggestedName: string): Promise<string | null> {
  const choice = await dialog.showSaveDialog(window, {
    title: 'Save the image as',
    defaultPath: join(homedir(), suggestedName),
    filters: [
      { name: 'ISO images', extensions: ['iso'] },
      { name: 'All files', extensions: ['*'] },
    ],
    properties: ['showOverwriteConfirmation', 'createDirectory'],
  });
  return choice.canceled || !choice.filePath ? null : choice.filePath;
}

/** An open dialog for what a new image holds: one folder (its contents become the root), or several files. */
export async function pickIsoSources(window: BrowserWindow, kind: 'folder' | 'files'): Promise<readonly string[]> {
  const choice = await dialog.showOpenDialog(window, {
    title: kind === 'folder' ? 'Choose a folder to make an image of' : 'Choose files to put in the image',
    properties: kind === 'folder' ? ['openDirectory'] : ['openFile', 'multiSelections'],
  });
  return choice.canceled ? [] : choice.filePaths;
}

/**
 * The engine's confirmation of a destructive or trust-changing call, shown by the main process: a
 * native, window-modal message box the renderer can neither draw nor click. Cancel is the default
 * and what Escape answers.
 */
export async function confirmInMainProcess(window: BrowserWindow, request: ShellConfirmation): Promise<boolean> {
  const text = confirmationText(request);
  const choice = await dialog.showMessageBox(window, {
    type: 'warning',
    title: text.title,
    message: text.message,
    detail: text.detail,
    buttons: ['Cancel', text.confirmLabel],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  });
  return choice.response === 1;
}
