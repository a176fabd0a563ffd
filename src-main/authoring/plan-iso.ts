// The ISO composer (issue 15): plans a whole image from an IsoAuthoringOptions (names, hierarchy,
// Rock Ridge, Joliet, El Torito, hybrid system area, UDF bridge), every region's LBA decided before a
// byte is made, then answers the summary and the image as a lazy composed source whose file pieces
// read each file's content during the write. Layout (sectors), as interfaces.md pins it: system area,
// PVD at 16, [Boot Record], [Joliet SVD], terminator, [UDF recognition, sequences, anchor at 256], path
// tables, [boot catalog], directories and continuation areas, [UDF file set], hidden boot images,
// file data in path order, [hybrid padding and GPT backup], [UDF closing anchor].
import type { IsoLevel } from '../../shared/authoring.ts';
import { sectorBytes } from '../format/fields.ts';
import { composeSource } from '../io/composed-source.ts';
import { fileSections } from '../iso/directory-record-writer.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';
import { layoutMetadata, type MetadataPlan } from './iso-metadata-layout.ts';
import { inventoryTree, placeFileRuns, type TreeInventory } from './iso-file-data.ts';
import type { IsoAuthoringOptions, PlannedIso } from './iso-authoring.ts';
import { buildIsoNamespace, buildJolietNamespace } from './iso-namespaces.ts';
import { planRockRidge } from './iso-rock-ridge-plan.ts';
import { sizeDirectories } from './iso-directory-extents.ts';
import { bootImageSectors, needsPatch, patchedBootImage, resolveBootImages } from './iso-boot-plan.ts';
import { placedAt, SectorLayout } from './iso-sector-layout.ts';
import { finishImage } from './iso-finish.ts';
import { maxSummaryFileRegions, summarizePlan } from './plan-summary.ts';

/** ISO 9660 levels 1 and 2 describe a file with one extent (ECMA-119 7.5: no multi-extent below level 3). */
function refuseFilesTooLarge(inventory: TreeInventory, level: IsoLevel): void {
  if (level === 3) return;
  for (const run of inventory.runs) {
    if (fileSections(run.sizeBytes).length > 1) {
      throw new CodedError(
        'file-too-large',
        `${run.path} is ${run.sizeBytes} bytes; ISO 9660 level ${level} records files of at most 4294967295 bytes (level 3 splits larger files into extents)`,
      );
    }
  }
}

/**
 * Plans the whole image from metadata (no file data is read, except boot images that need a boot
 * info table, which are small and read whole) and answers its summary and lazy bytes. Throws
 * CodedError on what it cannot make (names in the message), CancelledError when `signal` aborts.
 */
export async function planIso(options: IsoAuthoringOptions, signal?: AbortSignal): Promise<PlannedIso> {
  throwIfCancelled(signal, 'planning the image');
  if (options.root.kind !== 'directory') throw new CodedError('invalid-request', `the image's root ${options.root.origin} is not a directory`);
  const inventory = inventoryTree(options.root, signal);
  refuseFilesTooLarge(inventory, options.level);
  const bootImages = resolveBootImages(options.root, options.boot.entries);
  const iso = buildIsoNamespace(options.root, { level: options.level, rockRidge: options.rockRidge, signal });
  const joliet = options.joliet ? buildJolietNamespace(options.root, { long: options.jolietLong, signal }) : null;
  throwIfCancelled(signal, 'planning the image');
  if (options.rockRidge) planRockRidge(iso, inventory, options.fixedFileTimesMs);
  sizeDirectories(iso);
  if (joliet) sizeDirectories(joliet);

  const layout = new SectorLayout();
  const metadata: MetadataPlan = layoutMetadata(layout, { options, iso, joliet, hasBoot: bootImages.length > 0 });
  const hiddenImages = bootImages.filter((image) => image.node === null);
  for (const image of hiddenImages) {
    const description = 'source' in image.spec.image ? image.spec.image.description : '';
    image.imageLba = layout.reserve(`boot image (${description})`, bootImageSectors(image));
  }
  const fileAreaLba = layout.nextLba;
  layout.nextLba = placeFileRuns(inventory.runs, fileAreaLba);
  for (const image of bootImages) if (image.node) image.imageLba = inventory.runOf.get(image.node)!.startLba;
  throwIfCancelled(signal, 'planning the image');

  // The boot info table needs the image's own LBA: patched copies replace the file's content piece.
  const patched = new Map<object, Uint8Array>();
  for (const image of bootImages) {
    if (needsPatch(image)) patched.set(image.node ? inventory.runOf.get(image.node)! : image, await patchedBootImage(image, metadata.primaryDescriptorLba));
  }
  for (const image of hiddenImages) {
    const bytes = patched.get(image);
    if (bytes) layout.putBytes(image.imageLba, bytes);
    else layout.putSource(image.imageLba, image.source, 0, image.sizeBytes);
  }
  for (const run of inventory.runs) {
    // Only the regions the summary lists are named: 50,000 more names would be made to be dropped.
    if (layout.fileRegionCount < maxSummaryFileRegions) layout.regions.push({ name: `file ${run.path}`, startLba: run.startLba, sectorCount: run.sectorCount });
    layout.fileRegionCount += 1;
    const bytes = patched.get(run);
    if (bytes) layout.putBytes(run.startLba, bytes);
    else if (run.sizeBytes > 0) {
      // A file without content is a bug of whoever built the tree: never fill its size with invented bytes.
      if (!run.node.content) throw new Error(`${run.path} (${run.node.origin}) is a file of ${run.sizeBytes} bytes without content`);
      layout.putSource(run.startLba, run.node.content, 0, run.sizeBytes);
    }
  }
  const sectorCount = finishImage(layout, { options, inventory, iso, joliet, metadata, bootImages, fileAreaLba });
  throwIfCancelled(signal, 'planning the image');
  const summary = summarizePlan({ options, inventory, iso, joliet, layout, sectorCount, bootImages, udfWarnings: metadata.udf?.plan.warnings ?? [] });
  return {
    summary,
    source: composeSource(`new image ${options.ids.volume}`, sectorCount * sectorBytes, layout.pieces),
    regionAt: regionNamer(layout, inventory),
  };
}

/**
 * PlannedIso.regionAt: a file by its run (every file, though the layout names only the few thousand
 * the summary lists), else a region of the layout (descriptors, directories, boot images, padding).
 * A file's name is made only when the write reaches it.
 */
function regionNamer(layout: SectorLayout, inventory: TreeInventory): (offsetBytes: number) => string | null {
  // Runs with data lie in path order, which is LBA order; empty files all point at the file area's first sector.
  const placedRuns = inventory.runs.filter((run) => run.sectorCount > 0);
  const otherRegions = layout.regions.filter((region) => !region.name.startsWith('file ')).sort((a, b) => a.startLba - b.startLba);
  return (offsetBytes) => {
    const lba = Math.floor(offsetBytes / sectorBytes);
    const run = placedAt(placedRuns, lba);
    return run !== null ? `file ${run.path}` : (placedAt(otherRegions, lba)?.name ?? null);
  };
}
