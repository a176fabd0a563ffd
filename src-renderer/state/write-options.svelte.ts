// How the Write screen asks the engine to make the stick (issue 14): the mode (auto, raw, copy
// files), the partition table of a copy-files stick, and Rufus's three Windows options, each off
// until chosen. The engine decides and states what is in force in its plan; this only asks.
import type { CopyModeRequest, FlashPrepareRequest } from '../../shared/flash.ts';
import type { PartitionTableChoice, WriteModeChoice, WriteModeRequest } from '../../shared/stick.ts';

/** Windows Setup's limit on a local account's name, and the characters it forbids in one (Rufus checks the same). */
export const maxLocalAccountNameLength = 20;
const forbiddenAccountCharacters = /["/\\[\]:;|=,+*?<>@]/;

export type AccountNameProblem = 'empty' | 'too-long' | 'forbidden-character';

/** Why Windows Setup would refuse this account name; null when it takes it. */
export function accountNameProblem(name: string): AccountNameProblem | null {
  const trimmed = name.trim();
  if (trimmed === '') return 'empty';
  if (trimmed.length > maxLocalAccountNameLength) return 'too-long';
  return forbiddenAccountCharacters.test(trimmed) ? 'forbidden-character' : null;
}

export class WriteOptions {
  mode = $state<WriteModeRequest>('auto');
  table = $state<PartitionTableChoice>('mbr');
  skipHardwareChecks = $state(false);
  createLocalAccount = $state(false);
  localAccountName = $state('');
  regionalFromHost = $state(false);

  /** The mode a write would use: the user's choice, else what the engine's assessment says `auto` picks (null: not known yet). */
  effectiveMode(automatic: WriteModeChoice | null): WriteModeChoice | null {
    if (this.mode !== 'auto') return { mode: this.mode, reason: 'chosen-by-user' };
    return automatic;
  }

  /** What stops a copy-files write from being asked for: a local account chosen with a name Windows refuses. */
  get accountProblem(): AccountNameProblem | null {
    return this.createLocalAccount ? accountNameProblem(this.localAccountName) : null;
  }

  /** The mode and copy options of a `flash:prepare`; `windows` only where the image is a Windows installer. */
  request(options: { readonly windowsInstaller: boolean }): Pick<FlashPrepareRequest, 'mode' | 'copy'> {
    const copy: CopyModeRequest = {
      table: this.table,
      ...(options.windowsInstaller
        ? {
            windows: {
              skipHardwareChecks: this.skipHardwareChecks,
              localAccountName: this.createLocalAccount ? this.localAccountName.trim() : null,
              regionalFromHost: this.regionalFromHost,
            },
          }
        : {}),
    };
    return { mode: this.mode, copy };
  }

  /** A new image starts from the defaults: every option off, the engine choosing the mode. */
  reset(): void {
    this.mode = 'auto';
    this.table = 'mbr';
    this.skipHardwareChecks = false;
    this.createLocalAccount = false;
    this.localAccountName = '';
    this.regionalFromHost = false;
  }
}
