// Saves a file the engine wrote (a history export, a job's report) the way a web page does: a Blob
// behind a link with `download`. It works the same in the web shell (the browser's download) and in
// Electron (a download is no navigation, so the window's navigation guard lets it through, and
// Electron asks where to save it with its own dialog when no will-download handler sets a path).
import type { ExportedFile } from './history.svelte.ts';

export function saveExportedFile(file: ExportedFile): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: `${file.mimeType};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The click starts the download at once; the URL is kept a while so a slow save dialog still reads it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
