// A flash or verify job as plain data (what crosses to the elevated helper), how it runs here, and
// whether it needs privilege. Where it runs (here, or in the elevated helper) is decided a level up,
// in elevation/, which imports flash/ and never the reverse.
import type { FlashProgress, FlashResult } from '../../shared/flash.ts';
import { stat } from 'node:fs/promises';
import { scanDrives } from '../drives/list-drives.ts';
import { flashImage, verifyDriveAgainstImage, type HelperScope, type TargetSelector } from './flash-image.ts';
import * as v from 'valibot';
import { absolutePath } from '../security/path-schemas.ts';
import type { WriteRecipe } from './write-input.ts';
import type { GrowingFile } from './source/growing-file-source.ts';
import { writeArrivingImage } from './write-arriving-image.ts';
import { writeModeRequests, type WriteModeRequest } from '../../shared/stick.ts';

export type FlashWork =
  | {
      readonly kind: 'flash';
      readonly imagePath: string;
      readonly targets: readonly TargetSelector[];
      readonly verify: boolean;
      readonly includeAll: boolean;
      readonly eject: boolean;
      /** The image as it is (the default), or its files on a new stick (composed again by whoever runs the job, from the image it opens). */
      readonly recipe?: Extract<WriteRecipe, { kind: 'raw' | 'copy' }>;
      /**
       * The image is a download still arriving (write-arriving-image.ts): written raw, reading only the
       * bytes the download reports over the same channel (GrowingFeedLog), then judged by its end.
       */
      readonly arriving?: true;
    }
  | {
      readonly kind: 'verify';
      readonly imagePath: string;
      readonly target: TargetSelector;
      /** How the drive was written (default auto: a copy-files stick is judged file by file, anything else byte for byte). */
      readonly mode?: WriteModeRequest;
    }
  | {
      /** An empty new stick: a partition table and one FAT32 or exFAT partition, written and read back. */
      readonly kind: 'format';
      /** Drives by id only: a format comes through the contract's plan, never at a path. */
      readonly targets: readonly { readonly driveId: string }[];
      readonly includeAll: boolean;
      readonly recipe: Extract<WriteRecipe, { kind: 'format' }>;
    };

export interface WorkControls {
  readonly jobId: string;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: FlashProgress) => void;
}

/**
 * Runs the job here; the caller must be privileged enough to open the targets. The elevated helper
 * passes its scope, and for a download still arriving, the file it learns of over its channel.
 */
export function runFlashWorkHere(work: FlashWork, controls: WorkControls, helperScope?: HelperScope, arriving?: GrowingFile): Promise<FlashResult> {
  const scope = helperScope === undefined ? {} : { helperScope };
  if (work.kind === 'flash' && work.arriving) {
    if (arriving === undefined) return Promise.reject(new Error('a write while downloading needs the download it reads'));
    return writeArrivingImage(arriving, { targets: work.targets, verify: work.verify, includeAll: work.includeAll, ...controls, ...scope });
  }
  if (work.kind === 'flash') return flashImage({ ...work, ...controls, ...scope });
  // Nothing is read: no image path, no SHA-256; the new stick is always read back.
  if (work.kind === 'format') return flashImage({ ...work, imagePath: '', verify: true, eject: false, sha256: false, ...controls, ...scope });
  const mode = work.mode === undefined ? {} : { mode: work.mode };
  return verifyDriveAgainstImage({ imagePath: work.imagePath, target: work.target, includeAll: true, ...mode, ...controls, ...scope });
}

/**
 * True when one of `targets` resolves to a block device: the one kind of target the elevated helper
 * writes. Decided by stat() of what the target is now (a drive id through a fresh enumeration, a
 * path through its symlinks), never by how it is spelled: a root-only file named next to an unknown
 * drive id once made the engine elevate, and the helper wrote the file (issue 12 §1). A target that
 * cannot be resolved or stat()ed with the user's rights is not one: the job runs here and reports it.
 */
export async function targetsBlockDevice(targets: readonly TargetSelector[]): Promise<boolean> {
  const driveIds = targets.flatMap((target) => ('driveId' in target ? [target.driveId] : []));
  const drives = driveIds.length === 0 ? [] : (await scanDrives()).drives;
  const paths = targets.map((target) => ('driveId' in target ? drives.find((drive) => drive.id === target.driveId)?.raw : target.path));
  const stats = await Promise.all(paths.map((path) => (path === undefined ? null : stat(path).catch(() => null))));
  return stats.some((stats) => stats?.isBlockDevice() === true);
}

/** A target as it crosses the channel: exactly one of a drive id or an absolute path. */
const targetSchema = v.union([v.strictObject({ driveId: v.pipe(v.string(), v.minLength(1), v.maxLength(512)) }), v.strictObject({ path: absolutePath })]);

const targetsSchema = v.pipe(v.array(targetSchema), v.minLength(1), v.maxLength(16));
const shortText = (maxLength: number) => v.pipe(v.string(), v.maxLength(maxLength));
const partitionTableSchema = v.picklist(['mbr', 'gpt']);

/** CopyModeOptions as plain data; the account name's Windows rules are checked again where the XML is built (stick/). */
const copyModeSchema = v.strictObject({
  table: partitionTableSchema,
  wimPartBytes: v.pipe(v.number(), v.integer(), v.minValue(1024 * 1024), v.maxValue(2 ** 32 - 1)),
  windows: v.strictObject({
    skipHardwareChecks: v.boolean(),
    localAccountName: v.nullable(shortText(64)),
    regional: v.nullable(v.strictObject({ locale: shortText(85), windowsTimeZone: v.nullable(shortText(100)) })),
  }),
});

/** The helper's side of the channel, with the contract's own path rule; nothing unlisted passes. */
const flashWorkSchema = v.variant('kind', [
  v.strictObject({
    kind: v.literal('flash'),
    imagePath: absolutePath,
    targets: targetsSchema,
    verify: v.boolean(),
    includeAll: v.boolean(),
    eject: v.boolean(),
    recipe: v.exactOptional(
      v.variant('kind', [
        v.strictObject({ kind: v.literal('raw'), lengthBytes: v.exactOptional(v.pipe(v.number(), v.safeInteger(), v.minValue(0))) }),
        v.strictObject({ kind: v.literal('copy'), copy: copyModeSchema }),
      ]),
    ),
    arriving: v.exactOptional(v.literal(true)),
  }),
  v.strictObject({ kind: v.literal('verify'), imagePath: absolutePath, target: targetSchema, mode: v.exactOptional(v.picklist(writeModeRequests)) }),
  v.strictObject({
    kind: v.literal('format'),
    // Only drives by id: formats come through the contract's plan (a path is never formatted by the helper).
    targets: v.pipe(v.array(v.strictObject({ driveId: v.pipe(v.string(), v.minLength(1), v.maxLength(512)) })), v.minLength(1), v.maxLength(16)),
    includeAll: v.boolean(),
    recipe: v.strictObject({ kind: v.literal('format'), fileSystem: v.picklist(['fat32', 'exfat']), label: shortText(64), table: partitionTableSchema }),
  }),
]);

/** Checks a job that arrived over the helper channel; null when it is not a well-formed FlashWork. */
export function parseFlashWork(value: unknown): FlashWork | null {
  const parsed = v.safeParse(flashWorkSchema, value);
  return parsed.success ? (parsed.output satisfies FlashWork) : null;
}
