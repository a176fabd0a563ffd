// The in-app file dialog the web shell uses where Electron shows a native one (issue 17): the engine
// lists folders for the page, as the user's own account can read them, and names the places to start.
// Listing a folder grants nothing: what may be opened, read as a source or written as a destination is
// still decided by the call that uses the chosen path.

/** A place shown in the dialog's side list. */
export interface FilePlace {
  readonly kind: 'home' | 'downloads' | 'removable' | 'recent';
  /** What the side list shows ("Home", "Downloads", a volume's label, a recent folder's name). */
  readonly label: string;
  /** Absolute path on the engine's machine. */
  readonly path: string;
}

/** What the dialog asks for: an image (or any file with the toggle), or a folder (a destination). */
export type FilePickPurpose = 'image' | 'any-file' | 'folder' | 'key-file';

export interface FolderEntry {
  readonly name: string;
  /** A symbolic link is listed as what it points to, and says so. */
  readonly kind: 'folder' | 'file' | 'other';
  readonly isLink: boolean;
  /** Null for folders and what could not be read. */
  readonly sizeBytes: number | null;
  readonly modifiedMs: number | null;
  /** True when the name or the first bytes say disk image (.iso .img .raw .bin/.cue .nrg .wim .zip .xz .gz .zst .bz2 ...). */
  readonly looksLikeImage: boolean;
}

export interface FilesListRequest {
  /** Absolute folder to list. */
  readonly path: string;
  /** Which entries to return: images (and folders), every file, folders only, OpenPGP key files (and folders). */
  readonly show: 'images' | 'all' | 'folders' | 'keys';
}

export interface FolderListing {
  /** The folder listed, by its real path. */
  readonly path: string;
  /** Its parent; null at the file system's root. */
  readonly parent: string | null;
  /** Folders first, then files, each by name as the user's locale sorts. */
  readonly entries: readonly FolderEntry[];
  /** Entries hidden by `show` (so the dialog can say "12 other files"). */
  readonly hiddenCount: number;
  /** True when the folder held more entries than one listing returns (the first ones are listed). */
  readonly truncated: boolean;
}

/** The most paths one `files:check-recent` call checks: the Start screen's recent list (8) with room to spare. */
export const maxCheckedRecentPaths = 16;

/**
 * What `files:check-recent` found of one recent image, as the user's own account sees it: still an
 * image Isotope opens (its first sectors read with the opener's own detection), gone (no such file,
 * or no longer a regular file), no longer an image (readable, and the opener recognises no format in
 * it), or unknown (it could not judge: unreadable by the user, compressed and not decoded, damaged...).
 */
export interface RecentFileCheck {
  readonly path: string;
  readonly verdict: 'image' | 'gone' | 'not-an-image' | 'unknown';
  /** Why, in the engine's words (the error's message); null for 'image'. */
  readonly reason: string | null;
}
