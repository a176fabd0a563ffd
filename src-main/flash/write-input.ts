// What a flash writes: an image as it is (raw), an image's files on a new FAT32 stick (copy), or an
// empty new stick (format). A composed stick is a lazy ByteSource (stick/compose-stick.ts) written
// like a raw image, then its tail; it is composed here, in the process that writes (the elevated
// helper too, from the image it opened as the user), deterministically, for the smallest target: each
// larger target gets the same partition and file system, and its own last MiB wiped.
import type { SourceCompression } from '../../shared/flash.ts';
import type { CopyModeOptions, NewFileSystem, PartitionTableChoice } from '../../shared/stick.ts';
import { signatureWipeRanges } from '../disk/partition-table-writer.ts';
import type { SourceFacts } from '../drives/safety-rules.ts';
import { sourceFactsOf } from '../drives/list-drives.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { openFileSource } from '../io/file-source.ts';
import { CodedError } from '../jobs/errors.ts';
import { composeCopyModeStick, composeFormattedStick, verifyCopiedFiles, type ComposedStick, type VerifyCopiedFilesOptions } from '../stick/compose-stick.ts';
import { FlashFailure } from './flash-error.ts';
import { composedFlashSource } from './source/composed-flash-source.ts';
import { openFlashSource, type FlashSource } from './source/image-source.ts';
import { layPieces, type StickWrites, type TailPiece } from './tail-writes.ts';

/** How the bytes are made; plain data (it crosses to the elevated helper). */
export type WriteRecipe =
  /** `lengthBytes`: a confirmed plan's shorter write (FlashPlan.rawWriteBytes), which the writer checks against the image's bytes. */
  | { readonly kind: 'raw'; readonly lengthBytes?: number }
  | { readonly kind: 'copy'; readonly copy: CopyModeOptions }
  | { readonly kind: 'format'; readonly fileSystem: NewFileSystem; readonly label: string; readonly table: PartitionTableChoice };

export interface WriteInput {
  /** Where the image lives (the safety rules refuse its drive); null for a format, which reads nothing. */
  readonly facts: SourceFacts | null;
  /** Bytes a raw image writes, for the safety rules' size check; null for a composed stick (its composition checks the room). */
  readonly rawSizeBytes: number | null;
  readonly compression: SourceCompression;
  /** The bytes for targets of these sizes, and a composed stick's tail and read-back check. */
  sourceFor(targetSizesBytes: readonly number[], signal?: AbortSignal): Promise<{ readonly source: FlashSource; readonly stick?: StickWrites }>;
  close(): Promise<void>;
}

/** Opens what the recipe reads (run as the invoking user in the elevated helper). */
export async function openWriteInput(imagePath: string, recipe: WriteRecipe): Promise<WriteInput> {
  if (recipe.kind === 'raw') return rawWriteInput(imagePath, await openFlashSource(imagePath));
  if (recipe.kind === 'format') {
    return {
      facts: null,
      rawSizeBytes: null,
      compression: 'none',
      sourceFor: (sizes) =>
        Promise.resolve(
          stickInput(composeFormattedStick({ deviceSizeBytes: smallest(sizes), ...recipe }), `new ${recipe.fileSystem} stick`, { checkFiles: false }),
        ),
      close: () => Promise.resolve(),
    };
  }
  const image = await openFileSource(imagePath).catch((error: unknown) => {
    throw new FlashFailure('source-unreadable', `cannot open the image ${imagePath}: ${(error as Error).message}`);
  });
  const facts = await sourceFactsOf(imagePath);
  return {
    facts,
    rawSizeBytes: null,
    compression: 'none',
    async sourceFor(sizes, signal) {
      const stick = await composeCopyModeStick(image, { deviceSizeBytes: smallest(sizes), copy: recipe.copy, ...(signal ? { signal } : {}) }).catch(
        (error: unknown) => {
          throw compositionFailure(error, imagePath);
        },
      );
      return stickInput(stick, imagePath, { checkFiles: true });
    },
    close: () => image.close(),
  };
}

/**
 * An image written as it is from a source already open (closed with the input): the file at
 * `imagePath` is where it lives, for the safety rules (a file still downloading: flash-from-download.ts).
 */
export async function rawWriteInput(imagePath: string, source: FlashSource): Promise<WriteInput> {
  const facts = await sourceFactsOf(imagePath).catch(async (error: unknown) => {
    await source.close();
    throw error;
  });
  return {
    facts,
    rawSizeBytes: source.sizeBytes,
    compression: source.compression,
    sourceFor: () => Promise.resolve({ source }),
    close: () => source.close(),
  };
}

function smallest(sizesBytes: readonly number[]): number {
  return Math.min(...sizesBytes);
}

/**
 * A composed stick as a flash input: its body, and per target its tail and, when it holds files, the
 * file-by-file check through our FAT reader (an empty new stick is proven by the byte comparison alone).
 */
function stickInput(stick: ComposedStick, name: string, options: { readonly checkFiles: boolean }): { source: FlashSource; stick: StickWrites } {
  const bodyBytes = stick.body.sizeBytes;
  return {
    source: composedFlashSource(stick.body, name),
    stick: {
      tailFor: (targetSizeBytes) => layPieces([...ownEndWipe(targetSizeBytes, bodyBytes), ...stick.tail]),
      verifyReadBack: (target, signal) => (options.checkFiles ? checkCopiedFiles(target, stick, { signal }) : Promise.resolve(null)),
    },
  };
}

/**
 * The first copied file that differs on the target, as a verification failure; a stick our reader
 * cannot read back is one too. Verify-only tolerates files a write adds by option (autounattend.xml).
 */
export async function checkCopiedFiles(target: ByteSource, stick: ComposedStick, options: VerifyCopiedFilesOptions): Promise<FlashFailure | null> {
  let difference: Awaited<ReturnType<typeof verifyCopiedFiles>>;
  try {
    difference = await verifyCopiedFiles(target, stick, options);
  } catch (error) {
    if (error instanceof FlashFailure) throw error; // the target could not be read: read-failed, target-removed
    return new FlashFailure('verification-mismatch', `${target.name} read back is not the file system written: ${(error as Error).message}`);
  }
  if (difference === null) return null;
  const where = difference.offsetBytes === null ? '' : ` at byte ${difference.offsetBytes}`;
  return new FlashFailure('verification-mismatch', `${target.name}: ${difference.path}${where}: ${difference.reason}`, difference.offsetBytes);
}

/** A larger target's own last MiB, zeroed: an old GPT backup there would outlive the new table. Never inside the body. */
function ownEndWipe(targetSizeBytes: number, bodyBytes: number): TailPiece[] {
  return signatureWipeRanges(targetSizeBytes)
    .filter((range) => range.offsetBytes >= bodyBytes)
    .map((range) => ({ offsetBytes: range.offsetBytes, bytes: new Uint8Array(range.lengthBytes) }));
}

/** Why a stick could not be composed, as a target failure: no room is `no-space`, a file FAT32 cannot hold a refusal. */
function compositionFailure(error: unknown, imagePath: string): FlashFailure {
  if (error instanceof FlashFailure) return error;
  const message = `${imagePath}: ${error instanceof Error ? error.message : String(error)}`;
  if (error instanceof CodedError && error.code === 'target-too-small') return new FlashFailure('no-space', message);
  if (error instanceof CodedError && (error.code === 'file-too-large' || error.code === 'volume-too-large')) return new FlashFailure('refused', message);
  return new FlashFailure('source-unreadable', message);
}
