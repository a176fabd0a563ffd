// How a write will be made (raw, or files copied onto a new FAT32 stick), decided at `flash:prepare`
// and bound into the plan. PROVISIONAL until stick/ (chooseWriteMode, composeCopyModeStick,
// predictStickBoot) lands: raw only, copy refused as unsupported.
import type { ComposedStickSummary, CopyModeRequest } from '../../shared/flash.ts';
import type { CopyModeOptions, StickBootPrediction, WriteModeChoice, WriteModeRequest } from '../../shared/stick.ts';
import { CodedError } from '../jobs/errors.ts';

export interface WriteModePlan {
  readonly mode: WriteModeChoice;
  readonly copy: CopyModeOptions | null;
  readonly stick: ComposedStickSummary | null;
  readonly bootPrediction: StickBootPrediction;
}

export function planWriteMode(request: { readonly mode?: WriteModeRequest; readonly copy?: CopyModeRequest }): Promise<WriteModePlan> {
  if (request.mode === 'copy') return Promise.reject(new CodedError('unsupported', 'copy-files mode is not available yet'));
  return Promise.resolve({
    mode: { mode: 'raw', reason: 'chosen-by-user' },
    copy: null,
    stick: null,
    bootPrediction: { mode: 'raw', usb: 'unknown', bios: false, uefi: { x64: false, ia32: false, aa64: false } },
  });
}
