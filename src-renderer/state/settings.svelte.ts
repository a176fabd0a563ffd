// The user's settings: renderer-only, kept in localStorage. Applying the theme is the one place the
// renderer writes to <html> (a `data-theme` attribute that tokens.css reads).

export type ThemeChoice = 'system' | 'light' | 'dark';
export const themeChoices = ['system', 'light', 'dark'] as const satisfies readonly ThemeChoice[];

export interface SettingsValues {
  readonly verifyAfterWrite: boolean;
  readonly ejectAfterSuccess: boolean;
  readonly showAllDrives: boolean;
  readonly theme: ThemeChoice;
}

const storageKey = 'isotope.settings.v1';
const defaults: SettingsValues = { verifyAfterWrite: true, ejectAfterSuccess: true, showAllDrives: false, theme: 'system' };

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
  const flag = (key: 'verifyAfterWrite' | 'ejectAfterSuccess' | 'showAllDrives'): boolean => (typeof value[key] === 'boolean' ? value[key] : defaults[key]);
  const theme = themeChoices.find((choice) => choice === value.theme) ?? defaults.theme;
  return { verifyAfterWrite: flag('verifyAfterWrite'), ejectAfterSuccess: flag('ejectAfterSuccess'), showAllDrives: flag('showAllDrives'), theme };
}

export class Settings {
  verifyAfterWrite = $state(defaults.verifyAfterWrite);
  ejectAfterSuccess = $state(defaults.ejectAfterSuccess);
  showAllDrives = $state(defaults.showAllDrives);
  theme = $state<ThemeChoice>(defaults.theme);

  readonly #storage: Storage | null;

  constructor(storage: Storage | null) {
    this.#storage = storage;
    const values = parseSettings(safeRead(storage, storageKey));
    this.verifyAfterWrite = values.verifyAfterWrite;
    this.ejectAfterSuccess = values.ejectAfterSuccess;
    this.showAllDrives = values.showAllDrives;
    this.theme = values.theme;
    this.#applyTheme();
  }

  update(change: Partial<SettingsValues>): void {
    if (change.verifyAfterWrite !== undefined) this.verifyAfterWrite = change.verifyAfterWrite;
    if (change.ejectAfterSuccess !== undefined) this.ejectAfterSuccess = change.ejectAfterSuccess;
    if (change.showAllDrives !== undefined) this.showAllDrives = change.showAllDrives;
    if (change.theme !== undefined) this.theme = change.theme;
    const values: SettingsValues = {
      verifyAfterWrite: this.verifyAfterWrite,
      ejectAfterSuccess: this.ejectAfterSuccess,
      showAllDrives: this.showAllDrives,
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
