// Facts about the running engine and the shell the renderer is attached to.

export type ShellKind = 'electron' | 'web' | 'cli';

export interface AppDescription {
  readonly name: 'Isotope';
  readonly version: string;
  readonly shell: ShellKind;
  /** True when the shell can show a native "open file" dialog (Electron); the web shell takes a typed path. */
  readonly canPickFiles: boolean;
  readonly platform: string;
  /** The engine user's home folder: where an output the user names starts (a backup's file in the web shell), and an allowed destination. */
  readonly homeFolder: string;
}
