// From an iso:remaster request to the composer's options (issue 15): the original's tree read with
// our readers, the edits made to it, its boot kept, its identifiers carried over. The original is
// open until `close()`: the new image's files are read from it while the image is written.
import { createHash, randomUUID } from 'node:crypto';
import type { IsoRemasterRequest } from '../../shared/authoring.ts';
import { findBootRecord } from '../boot/boot-record.ts';
import { openImageFile } from '../image/open-image-file.ts';
import type { IsoImage } from '../iso/iso-tree.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';
import type { IsoAuthoringOptions, VolumeIdentifiers } from './iso-authoring.ts';
import { keptBootAfterEdits, readKeptBoot } from './kept-boot.ts';
import { applyRemasterEdits } from './remaster-edits.ts';
import { readRemasterTree } from './remaster-tree.ts';
import { sectorBytes as isoSectorBytes } from '../format/fields.ts';

/**
 * The options that make the remastered image, and the close that releases the original once it is
 * written. `withheld`: real paths the walks of added folders leave out (SourceTreeOptions.withheld).
 */
export async function remasterAuthoringOptions(
  request: IsoRemasterRequest,
  signal?: AbortSignal,
  withheld: readonly string[] = [],
): Promise<{ options: IsoAuthoringOptions; close(): Promise<void> }> {
  const opened = await openImageFile(request.imagePath);
  try {
    // The content of a UDF-only disc, or a Windows disc whose ISO 9660 tree is a stub, lives in UDF: remaster copies ISO 9660 trees only.
    if (!opened.iso || opened.image !== opened.iso) {
      throw new CodedError('unsupported', `${request.imagePath} keeps its files in UDF only; remaster copies ISO 9660 images`, { path: request.imagePath });
    }
    const options = await optionsFor(opened.iso, { request, udf: opened.udf !== null, withheld }, signal);
    return { options, close: () => opened.close() };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

async function optionsFor(
  iso: IsoImage,
  { request, udf, withheld }: { request: IsoRemasterRequest; udf: boolean; withheld: readonly string[] },
  signal: AbortSignal | undefined,
): Promise<IsoAuthoringOptions> {
  const source = iso.source;
  const primary = iso.descriptors.primary;
  const bootRecord = await findBootRecord(source);
  const catalogLba = bootRecord?.catalogLba ?? null;
  const tree = await readRemasterTree(iso, { catalogLba, signal });
  const volumeSectorCount = Math.ceil((primary.volumeSpaceSizeBlocks * primary.logicalBlockSizeBytes) / isoSectorBytes);
  const kept = await readKeptBoot(source, catalogLba, { filePathByLba: tree.filePathByLba, usedLbas: tree.usedLbas, volumeSectorCount });
  throwIfCancelled(signal, `remastering ${request.imagePath}`);

  const reproducible = request.reproducible === true;
  // Reproducible: SOURCE_DATE_EPOCH's time (default 0) for the volume and every file, as `isotope create` does.
  const recordedMs = reproducible ? (request.sourceDateEpochSeconds ?? 0) * 1000 : Date.now();
  const edited = await applyRemasterEdits(tree.root, request.edits, { signal, nowMs: recordedMs, reproducible, withheld });
  const entries = keptBootAfterEdits(kept.entries, tree.root, request.edits);

  const ids: VolumeIdentifiers = {
    volume: request.label ?? primary.volumeIdentifier,
    volumeSet: primary.volumeSetIdentifier,
    publisher: primary.publisherIdentifier,
    preparer: primary.dataPreparerIdentifier,
    application: primary.applicationIdentifier,
    system: primary.systemIdentifier,
  };
  return {
    root: tree.root,
    // Level 3 holds every name and file size an original of any level holds; kept names valid at lower levels stay valid.
    level: 3,
    rockRidge: tree.rockRidge,
    joliet: tree.joliet,
    jolietLong: tree.jolietLong,
    // An ISO/UDF bridge stays one: the UDF tree is made anew from the same nodes.
    udf,
    ids,
    recordedMs,
    fixedFileTimesMs: reproducible ? recordedMs : null,
    identitySeed: reproducible ? reproducibleSeed(iso, request, ids) : randomUUID(),
    boot: { entries, hybrid: kept.hybrid },
    bootDetected: [
      ...kept.notes,
      ...(tree.catalogPath ? [`the original's boot catalog ${tree.catalogPath} is not copied: the new image records its own`] : []),
    ],
    warnings: [...tree.warnings, ...kept.warnings, ...edited.warnings],
  };
}

/**
 * The same original, edits and identifiers give the same seed on any machine (GPT GUIDs, UDF ids).
 * The original is named by what its descriptor records, not by its file's path.
 */
function reproducibleSeed(iso: IsoImage, request: IsoRemasterRequest, ids: VolumeIdentifiers): string {
  const primary = iso.descriptors.primary;
  const original = { volumeSpaceSizeBlocks: primary.volumeSpaceSizeBlocks, creationMs: primary.creationMs, rootLba: primary.rootDirectoryRecord.extentLba };
  const edits = request.edits.map((edit) => ({ ...edit, ...('sourcePath' in edit ? { sourcePath: '' } : {}) }));
  return createHash('sha256')
    .update(JSON.stringify({ original, edits, ids, sourceDateEpochSeconds: request.sourceDateEpochSeconds ?? 0 }))
    .digest('hex');
}
