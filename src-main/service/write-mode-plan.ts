// How a write will be made (raw, or files copied onto a new FAT32 stick), decided at `flash:prepare`
// (and by `isotope flash`) and bound into the plan: the copy options the request asked for, completed
// by the engine (the host's regional settings when asked), and the mode, stick and boot prediction
// the parse job plans from the image (flash/stick-plan.ts, in the service's parse worker).
import type { CopyModeRequest } from '../../shared/flash.ts';
import { defaultWimPartBytes, type CopyModeOptions, type WriteModeRequest } from '../../shared/stick.ts';
import type { WriteModePlan } from '../flash/stick-plan.ts';
import type { ImageParser } from '../isolation/image-parser.ts';
import { CodedError } from '../jobs/errors.ts';
import { hostRegionalSettings, localAccountNameProblem } from '../stick/windows-unattend.ts';

export interface WriteModeRequestParts {
  readonly mode?: WriteModeRequest;
  readonly copy?: CopyModeRequest;
}

export function planWriteMode(
  imagePath: string,
  request: WriteModeRequestParts,
  deviceSizeBytes: number,
  options: { readonly parser: ImageParser; readonly signal?: AbortSignal },
): Promise<WriteModePlan> {
  const copy = copyModeOptionsOf(request.copy);
  return options.parser.run(
    'stick:plan',
    { path: imagePath, mode: request.mode ?? 'auto', copy, deviceSizeBytes },
    options.signal ? { signal: options.signal } : {},
  );
}

/** The options in force: MBR, 4095 MiB parts and no Windows options unless asked; a bad account name is refused here. */
export function copyModeOptionsOf(request: CopyModeRequest = {}, regional = hostRegionalSettings): CopyModeOptions {
  const windows = request.windows ?? { skipHardwareChecks: false, localAccountName: null, regionalFromHost: false };
  const accountProblem = windows.localAccountName === null ? null : localAccountNameProblem(windows.localAccountName);
  if (accountProblem !== null) throw new CodedError('invalid-request', `local account name ${JSON.stringify(windows.localAccountName)}: ${accountProblem}`);
  return {
    table: request.table ?? 'mbr',
    wimPartBytes: request.wimPartBytes ?? defaultWimPartBytes,
    windows: {
      skipHardwareChecks: windows.skipHardwareChecks,
      localAccountName: windows.localAccountName,
      regional: windows.regionalFromHost ? regional() : null,
    },
  };
}
