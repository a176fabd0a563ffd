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
  readonly about?: { readonly engineBuild: string; readonly licences: readonly BundledLicence[] };
}

/** A library or data file shipped with Isotope and its licence (SPDX where its package gives one). */
export interface BundledLicence {
  readonly name: string;
  readonly version: string;
  readonly licence: string;
  readonly kind: 'library' | 'data';
}
