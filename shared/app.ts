// Facts about the running engine and the shell the renderer is attached to.

export type ShellKind = 'electron' | 'web' | 'cli';

export interface AppDescription {
  readonly name: 'Isotope';
  readonly version: string;
  readonly shell: ShellKind;
  /** True when the shell can show a native "open file" dialog (Electron); the web shell takes a typed path. */
  readonly canPickFiles: boolean;
  /** True when the shell can show a folder in the system's file manager (`files:show-in-folder`, Electron); absent: it cannot. */
  readonly canShowInFolder?: boolean;
  readonly platform: string;
  /** The engine user's home folder: where an output the user names starts (a backup's file in the web shell), and an allowed destination. */
  readonly homeFolder: string;
  /** For Settings › About: the engine's runtime (Node.js version, OS and architecture) and the licences of what ships with it. */
  readonly about?: {
    readonly engineBuild: string;
    readonly licences: readonly BundledLicence[];
    /** The commit the engine was built from; null when it runs from source or was built outside git (absent: an engine older than this field). */
    readonly build?: EngineBuild | null;
  };
}

/** What `npm run build` embedded (scripts/engine-build.js): the checkout's commit and the commit's date, not the build's. */
export interface EngineBuild {
  /** `git rev-parse --short HEAD` at build time. */
  readonly commit: string;
  /** The commit's committer date, ISO 8601 with its offset. */
  readonly commitDate: string;
  /** The tree held changes the commit does not (edits or new files): the bundle is not that commit alone. */
  readonly localChanges: boolean;
}

/** A library or data file shipped with Isotope and its licence (SPDX where its package gives one). */
export interface BundledLicence {
  readonly name: string;
  readonly version: string;
  readonly licence: string;
  readonly kind: 'library' | 'data';
}

/** The most of a licence file `app:licence-text` answers with: real licences are a few KiB (GPL-3.0 is 35 KiB). */
export const maxLicenceTextBytes = 256 * 1024;

/** One shipped item's licence text (`app:licence-text`), read on demand from the file installed with it. */
export interface LicenceText {
  /** The item, as `about.licences` names it. */
  readonly name: string;
  /** The file read (LICENSE, LICENCE.md, COPYING, a data licence file); null when the item ships none. */
  readonly fileName: string | null;
  /** The file's text, at most maxLicenceTextBytes of it; empty when none is shipped. */
  readonly text: string;
  /** True when the file is longer than maxLicenceTextBytes and only its start is given. */
  readonly truncated: boolean;
}
