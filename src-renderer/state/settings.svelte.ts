// The user's settings: renderer-only, kept in localStorage. Applying the theme is the one place the
// renderer writes to <html> (a `data-theme` attribute that tokens.css reads).

export type ThemeChoice = 'system' | 'light' | 'dark';
export const themeChoices = ['system', 'light', 'dark'] as const satisfies readonly ThemeChoice[];

export interface SettingsValues {
  readonly verifyAfterWrite: boolean;
  readonly ejectAfterSuccess: boolean;
  /** "Show all drives" from the start of every session; without it the switch lasts for this session only (issue 17). */
  readonly showAllDrivesPinned: boolean;
  /** Opening the Checksums tab starts the full hashing pass; off: it waits for "Compute checksums". */
  readonly autoHash: boolean;
  readonly theme: ThemeChoice;
}

type Flag = 'verifyAfterWrite' | 'ejectAfterSuccess' | 'showAllDrivesPinned' | 'autoHash';

const storageKey = 'isotope.settings.v1';
const defaults: SettingsValues = { verifyAfterWrite: true, ejectAfterSuccess: true, showAllDrivesPinned: false, autoHash: true, theme: 'system' };

/** Reads stored settings, keeping only fields of the right type (storage may hold an old or hand-edited value). */
export function parseSettings(stored: string | null): SettingsValues {
  if (!stored) return defaults;
  let raw: unknown;
  try {
    raw = JSON.parse(stored);
  } catch {
    return defaults;
  }
  if (typeof raw !== 'object' || raw === null) return defaults;
  const value = raw as Record<string, unknown>;
  const flag = (key: Flag): boolean => (typeof value[key] === 'boolean' ? value[key] : defaults[key]);
  const theme = themeChoices.find((choice) => choice === value.theme) ?? defaults.theme;
  // An older `showAllDrives` is not carried over: it leaked one session's choice into the next.
  return {
    verifyAfterWrite: flag('verifyAfterWrite'),
    ejectAfterSuccess: flag('ejectAfterSuccess'),
    showAllDrivesPinned: flag('showAllDrivesPinned'),
    autoHash: flag('autoHash'),
    theme,
  };
}

export class Settings {
  verifyAfterWrite = $state(defaults.verifyAfterWrite);
  ejectAfterSuccess = $state(defaults.ejectAfterSuccess);
  showAllDrivesPinned = $state(defaults.showAllDrivesPinned);
  /** This session's "Show all drives": starts as pinned, never stored. */
  showAllDrives = $state(defaults.showAllDrivesPinned);
  autoHash = $state(defaults.autoHash);
  theme = $state<ThemeChoice>(defaults.theme);

  readonly #storage: Storage | null;

  constructor(storage: Storage | null) {
    this.#storage = storage;
    const values = parseSettings(safeRead(storage, storageKey));
    this.verifyAfterWrite = values.verifyAfterWrite;
    this.ejectAfterSuccess = values.ejectAfterSuccess;
    this.showAllDrivesPinned = values.showAllDrivesPinned;
    this.showAllDrives = values.showAllDrivesPinned;
    this.autoHash = values.autoHash;
    this.theme = values.theme;
    this.#applyTheme();
  }

  /** Changes settings; `showAllDrives` is this session's switch (pinning it sets it too). */
  update(change: Partial<SettingsValues> & { readonly showAllDrives?: boolean }): void {
    if (change.verifyAfterWrite !== undefined) this.verifyAfterWrite = change.verifyAfterWrite;
    if (change.ejectAfterSuccess !== undefined) this.ejectAfterSuccess = change.ejectAfterSuccess;
    if (change.showAllDrivesPinned !== undefined) this.showAllDrivesPinned = this.showAllDrives = change.showAllDrivesPinned;
    if (change.showAllDrives !== undefined) this.showAllDrives = change.showAllDrives;
    if (change.autoHash !== undefined) this.autoHash = change.autoHash;
    if (change.theme !== undefined) this.theme = change.theme;
    const values: SettingsValues = {
      verifyAfterWrite: this.verifyAfterWrite,
      ejectAfterSuccess: this.ejectAfterSuccess,
      showAllDrivesPinned: this.showAllDrivesPinned,
      autoHash: this.autoHash,
      theme: this.theme,
    };
    try {
      this.#storage?.setItem(storageKey, JSON.stringify(values));
    } catch {
      // Storage full or disabled: the setting still holds for this session.
    }
    this.#applyTheme();
  }

  #applyTheme(): void {
    const root = document.documentElement;
    if (this.theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', this.theme);
  }
}

export function safeRead(storage: Storage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}
