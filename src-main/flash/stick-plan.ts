// The mode a write will use and what it will make, planned from the image's metadata: the mode
// chosen (and why), the copy options in force, the stick composed once for the smallest target (so
// `file-too-large`, `target-too-small` and `volume-too-large` refuse the write before anything is
// written) and the stick's predicted boot. Plain data: it runs as a parse job (a capped worker in the
// desktop and web shells), since it reads an untrusted image.
import type { FlashPlan } from '../../shared/flash.ts';
import type { CopyModeOptions, StickBootPrediction, WriteModeChoice, WriteModeRequest } from '../../shared/stick.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { NotAnImageError } from '../format/not-an-image-error.ts';
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';
import { openFileSource } from '../io/file-source.ts';
import { chooseWriteMode } from '../stick/choose-write-mode.ts';
import { composeCopyModeStick } from '../stick/compose-stick.ts';
import { predictStickBoot } from '../stick/predict-stick-boot.ts';
import type { WriteRecipe } from './write-input.ts';

export type WriteModePlan = Pick<FlashPlan, 'mode' | 'copy' | 'stick' | 'bootPrediction'>;

export interface StickPlanRequest {
  /** The image's path (`path`, as every parse job's request names its image). */
  readonly path: string;
  readonly mode: WriteModeRequest;
  /** In force if the mode is copy. */
  readonly copy: CopyModeOptions;
  /** The smallest target's size: every target gets the stick composed for it. */
  readonly deviceSizeBytes: number;
}

export async function planStickWrite(request: StickPlanRequest, signal?: AbortSignal): Promise<WriteModePlan> {
  const image = await openFileSource(request.path);
  try {
    const mode = await chooseModeOrRaw(image, request.mode);
    const bootPrediction = await predictStickBoot(image, mode, { table: request.copy.table }).catch((error: unknown) => {
      if (mode.mode === 'raw' && isDamage(error)) return unknownRawBoot;
      throw error;
    });
    if (mode.mode === 'raw') return { mode, copy: null, stick: null, bootPrediction };
    const stick = await composeCopyModeStick(image, { deviceSizeBytes: request.deviceSizeBytes, copy: request.copy, ...(signal ? { signal } : {}) });
    const summary = { composedForBytes: request.deviceSizeBytes, bodyBytes: stick.body.sizeBytes, label: stick.label, fileCount: stick.files.size };
    return { mode, copy: request.copy, stick: summary, bootPrediction };
  } finally {
    await image.close();
  }
}

/** The mode a write of the image at `path` will use, as planStickWrite chooses it (for `drives:list`, whose size rule is the raw write's only). */
export async function chooseFileWriteMode(path: string, request: WriteModeRequest): Promise<WriteModeChoice> {
  const image = await openFileSource(path);
  try {
    return await chooseModeOrRaw(image, request);
  } finally {
    await image.close();
  }
}

function chooseModeOrRaw(image: ByteSource, request: WriteModeRequest): Promise<WriteModeChoice> {
  return chooseWriteMode(image, request).catch((error: unknown) => {
    // A damaged or cut-short image has no tree to copy files from; written raw it is what the
    // assessment's blocking finding describes, and the user may still write it anyway.
    if (request === 'auto' && isDamage(error)) return rawForDamage;
    throw error;
  });
}

const rawForDamage: WriteModeChoice = { mode: 'raw', reason: 'not-a-file-system-image' };
const unknownRawBoot: StickBootPrediction = { mode: 'raw', usb: 'unknown', bios: false, uefi: { x64: false, ia32: false, aa64: false } };

/** The image's own structures are damaged or cut short (not: it could not be opened, or the job was cancelled). */
function isDamage(error: unknown): boolean {
  return error instanceof CorruptImageError || error instanceof NotAnImageError || error instanceof ByteRangeError;
}

/** What a planned mode writes: the image as it is, or its files composed with the options in force. */
export function recipeOf(plan: WriteModePlan): Extract<WriteRecipe, { kind: 'raw' | 'copy' }> {
  return plan.mode.mode === 'copy' && plan.copy !== null ? { kind: 'copy', copy: plan.copy } : { kind: 'raw' };
}
