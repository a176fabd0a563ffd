// Where a dropped or typed item lives, on the engine's machine. Electron tells us for real files; a
// browser never does, but a file manager's drag also carries text/uri-list (file:///...) or plain
// text, which is what we fall back to. A typed path is read the way a shell user writes one (issue 17):
// `~` and `~/…`, quoted, a file:// URL (percent-decoded), or relative to the home folder.

/** Why a typed path could not be read; messages.ts says each in plain words. */
export type TypedPathProblem = 'empty' | 'nul' | 'other-home' | 'bad-file-url' | 'remote-file-url';

export type TypedPath = { readonly path: string } | { readonly problem: TypedPathProblem };

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
      const parsed = pathFromFileUrl(entry);
      return 'path' in parsed ? parsed.path : null;
    }
  }
  const plain = data.getData('text/plain').trim();
  return plain.startsWith('/') && !plain.includes('\n') ? plain : null;
}

/** The absolute path a typed (or pasted) entry names, `homeFolder` standing for `~` and relative paths. */
export function pathFromTyped(input: string, homeFolder: string): TypedPath {
  const unquoted = withoutQuotes(input.trim());
  if (unquoted === '') return { problem: 'empty' };
  if (unquoted.includes('\0')) return { problem: 'nul' };
  if (/^file:/i.test(unquoted)) return pathFromFileUrl(unquoted);
  if (unquoted === '~') return { path: homeFolder };
  if (unquoted.startsWith('~/')) return { path: joinHome(homeFolder, unquoted.slice(2)) };
  // ~name is another account's home, which only the engine's machine could look up.
  if (unquoted.startsWith('~')) return { problem: 'other-home' };
  return { path: unquoted.startsWith('/') ? unquoted : joinHome(homeFolder, unquoted) };
}

/** One pair of matching outer quotes removed, as a shell would (a path copied with its quotes). */
function withoutQuotes(text: string): string {
  const first = text[0];
  return text.length >= 2 && (first === '"' || first === "'") && text.endsWith(first) ? text.slice(1, -1) : text;
}

function joinHome(homeFolder: string, relative: string): string {
  return relative === '' ? homeFolder : `${homeFolder.replace(/\/+$/, '')}/${relative}`;
}

/** RFC 8089: file:///path or file://localhost/path, percent-decoded; another host is not this machine. */
function pathFromFileUrl(text: string): TypedPath {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'bad-file-url' };
  }
  if (url.protocol !== 'file:') return { problem: 'bad-file-url' };
  if (url.hostname !== '' && url.hostname !== 'localhost') return { problem: 'remote-file-url' };
  try {
    const path = decodeURIComponent(url.pathname);
    return path.includes('\0') ? { problem: 'nul' } : { path };
  } catch {
    return { problem: 'bad-file-url' }; // a lone % or a sequence that is not UTF-8
  }
}
