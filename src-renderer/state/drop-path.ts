// Where a dropped item lives, on the engine's machine. Electron tells us for real files; a browser
// never does, but a file manager's drag also carries text/uri-list (file:///...) or plain text,
// which is what we fall back to. Null when nothing usable was dropped.

export function pathFromDrop(data: DataTransfer, pathForFile: (file: File) => string | null): string | null {
  const file = data.files[0];
  if (file) {
    const path = pathForFile(file);
    if (path) return path;
  }
  const uriList = data.getData('text/uri-list');
  for (const line of uriList.split(/\r?\n/)) {
    const entry = line.trim();
    if (entry.startsWith('file://')) {
      try {
        return decodeURIComponent(new URL(entry).pathname);
      } catch {
        return null;
      }
    }
  }
  const plain = data.getData('text/plain').trim();
  return plain.startsWith('/') && !plain.includes('\n') ? plain : null;
}
