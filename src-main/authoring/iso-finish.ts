// The last steps of the composer, once every region before the image's end has its LBA: the end
// itself (a hybrid image padded to whole MiB as xorriso pads, the GPT backup and UDF's closing anchor
// in their places), then every metadata byte: descriptors, path tables, catalog, directories,
// continuation areas, the UDF structures and the hybrid system area.
import { createHash } from 'node:crypto';
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { sectorBytes } from '../format/fields.ts';
import { CodedError } from '../jobs/errors.ts';
import { buildBootCatalog, buildBootRecordDescriptor } from '../boot/el-torito-writer.ts';
import { buildHybridSystemArea, hybridAlignedSectorCount, hybridTailSectors } from '../disk/hybrid-system-area.ts';
import { fileFlags } from '../iso/directory-record.ts';
import { fileSections, maxSingleExtentBytes, noSystemUse, selfIdentifier, writeDirectoryRecord } from '../iso/directory-record-writer.ts';
import { isoACharacters, isoVolumeIdentifier } from '../iso/iso-names.ts';
import { buildVolumeDescriptor, buildVolumeDescriptorSetTerminator, type DescriptorIdentifiers } from '../iso/volume-descriptor-writer.ts';
import type { IsoAuthoringOptions } from './iso-authoring.ts';
import { catalogEntries, isBiosImage, type PlacedBootImage } from './iso-boot-plan.ts';
import { directoryExtentSource, renderContinuationAreas, type ExtentContext } from './iso-directory-extents.ts';
import type { TreeInventory } from './iso-file-data.ts';
import { placePathTables, udfAnchorLba, type MetadataPlan, type PathTablePlacement } from './iso-metadata-layout.ts';
import type { NamespaceTree } from './iso-namespaces.ts';
import type { SectorLayout } from './iso-sector-layout.ts';

/** mkisofs -pad: 300 KiB. */
const readAheadPaddingSectors = 150;

export interface FinishInput {
  readonly options: IsoAuthoringOptions;
  readonly inventory: TreeInventory;
  readonly iso: NamespaceTree;
  readonly joliet: NamespaceTree | null;
  readonly metadata: MetadataPlan;
  readonly bootImages: readonly PlacedBootImage[];
  readonly fileAreaLba: number;
}

/** Decides the image's end and reserves what lies there; answers the sector count and the UDF closing anchor's LBA. */
function placeEnd(layout: SectorLayout, input: FinishInput): { sectorCount: number; closingAnchorLba: number | null; tailLba: number | null } {
  const hybrid = input.options.boot.hybrid;
  const udf = input.metadata.udf !== null;
  // mkisofs -pad (xorriso's default): 150 zero sectors after the data, because drives and firmware read
  // ahead of what they are asked for; without it GRUB's cdboot.img, reading a boot image near the end
  // in 16-sector chunks, fails under SeaBIOS (tested: plan-iso-boot.integration.test.ts).
  layout.reserve('padding (read-ahead)', readAheadPaddingSectors);
  if (!hybrid) {
    const closingAnchorLba = udf ? layout.reserve('UDF closing anchor volume descriptor pointer', 1) : null;
    return { sectorCount: layout.nextLba, closingAnchorLba, tailLba: null };
  }
  const tailSectors = hybridTailSectors(hybrid.gpt, hybrid.apm);
  if (udf && tailSectors > 0) {
    // ECMA-167 3/8.4.2.1 and the GPT (UEFI 2.10 5.3.2) both claim the last sector for their backup.
    throw new CodedError('unsupported', 'a UDF bridge and a GPT cannot share an image: both keep a copy of their anchor in its last sector');
  }
  const needed = layout.nextLba + tailSectors + (udf ? 1 : 0);
  // xorriso pads a hybrid image to whole cylinders of its MBR geometry (measured: 204 sectors become 512).
  const sectorCount = hybridAlignedSectorCount(needed);
  let closingAnchorLba: number | null = null;
  if (udf) {
    closingAnchorLba = sectorCount - 1;
    layout.skipTo(closingAnchorLba);
    layout.reserve('UDF closing anchor volume descriptor pointer', 1);
  }
  layout.skipTo(sectorCount - tailSectors);
  const tailLba = tailSectors > 0 ? layout.reserve('GPT backup', tailSectors) : null;
  layout.skipTo(sectorCount);
  return { sectorCount, closingAnchorLba, tailLba };
}

function rootRecord(tree: NamespaceTree, recordedMs: number): Uint8Array {
  const record = new Uint8Array(34);
  const root = tree.root;
  writeDirectoryRecord(record, 0, {
    identifier: selfIdentifier,
    extentLba: root.extentLba,
    dataLengthBytes: root.sectorCount * sectorBytes,
    flags: fileFlags.directory,
    recordedMs,
    systemUse: noSystemUse,
  });
  return record;
}

function descriptor(kind: 'primary' | 'joliet', tree: NamespaceTree, tables: PathTablePlacement, sectorCount: number, input: FinishInput): Uint8Array {
  const { ids, recordedMs, fixedFileTimesMs } = input.options;
  // ECMA-119 8.4.5-8.4.22: d-characters for the volume identifier, a-characters elsewhere; Joliet keeps the text (UCS-2).
  const fitted: DescriptorIdentifiers =
    kind === 'primary'
      ? {
          system: isoACharacters(ids.system, 32),
          volume: isoVolumeIdentifier(ids.volume),
          volumeSet: isoACharacters(ids.volumeSet, 128),
          publisher: isoACharacters(ids.publisher, 128),
          preparer: isoACharacters(ids.preparer, 128),
          application: isoACharacters(ids.application, 128),
        }
      : ids;
  return buildVolumeDescriptor({
    kind,
    ids: fitted,
    volumeSpaceSizeSectors: sectorCount,
    pathTableSizeBytes: tables.sizeBytes,
    typeLPathTableLba: tables.typeLLba,
    typeMPathTableLba: tables.typeMLba,
    rootDirectoryRecord: rootRecord(tree, fixedFileTimesMs ?? input.options.root.modifiedMs),
    recordedMs,
  });
}

/** Places each directory's extent, rendered when the write reaches it, and (ISO 9660 with Rock Ridge) the continuation areas. */
function placeDirectories(layout: SectorLayout, tree: NamespaceTree, input: FinishInput): void {
  const { metadata, inventory } = input;
  const context: ExtentContext = {
    tree,
    fixedFileTimesMs: input.options.fixedFileTimesMs,
    zeroLengthLba: input.fileAreaLba,
    sectionsOf: (node: AuthoringNode) => sectionsOf(inventory, node),
    continuationOf(plan) {
      const place = metadata.continuations.places.get(plan);
      if (!place) throw new Error('a continuation area was not packed');
      return { lba: metadata.continuationLba + place.sectorIndex, offsetBytes: place.offsetBytes };
    },
  };
  for (const directory of tree.directories) {
    layout.putSource(directory.extentLba, directoryExtentSource(directory, context), 0, directory.sectorCount * sectorBytes);
  }
  // Only the ISO 9660 tree has Rock Ridge fields, so continuation areas.
  if (tree.kind === 'iso9660' && metadata.continuations.sectorCount > 0) {
    const areas = new Uint8Array(metadata.continuations.sectorCount * sectorBytes);
    renderContinuationAreas(context, areas, metadata.continuationLba);
    layout.putBytes(metadata.continuationLba, areas);
  }
}

/** A file node's data extents (ECMA-119 6.5.1 sections), absolute; empty for a zero-byte file. */
export function sectionsOf(inventory: TreeInventory, node: AuthoringNode): { lba: number; sizeBytes: number }[] {
  const run = inventory.runOf.get(node);
  if (!run || run.sizeBytes === 0) return [];
  if (run.sizeBytes <= maxSingleExtentBytes) return [{ lba: run.startLba, sizeBytes: run.sizeBytes }]; // nearly every file: one extent
  // maxExtentBytes is a whole number of sectors, so every section starts on one.
  return fileSections(run.sizeBytes).map((section) => ({ lba: run.startLba + section.offsetBytes / sectorBytes, sizeBytes: section.sizeBytes }));
}

function placeBoot(layout: SectorLayout, input: FinishInput): void {
  const { metadata, bootImages } = input;
  if (metadata.catalogLba === null || metadata.bootRecordLba === null) return;
  layout.putBytes(metadata.bootRecordLba, buildBootRecordDescriptor(metadata.catalogLba));
  layout.putBytes(metadata.catalogLba, buildBootCatalog(catalogEntries(bootImages)));
}

function placeHybrid(layout: SectorLayout, input: FinishInput, sectorCount: number, tailLba: number | null): void {
  const hybrid = input.options.boot.hybrid;
  if (!hybrid) return;
  const bios = input.bootImages.find(isBiosImage) ?? null;
  const efi = input.bootImages.find((image) => image.spec.partition) ?? null;
  const seedHash = createHash('sha256').update(`mbr:${input.options.identitySeed}`).digest();
  const { systemArea, tail } = buildHybridSystemArea({
    imageSectorCount: sectorCount,
    mbrBootCode: hybrid.mbrBootCode,
    biosBootImageLba: bios ? bios.imageLba : null,
    efiImage: efi ? { lba: efi.imageLba, sectorCount: Math.ceil(efi.sizeBytes / sectorBytes) } : null,
    gpt: hybrid.gpt,
    apm: hybrid.apm,
    identitySeed: input.options.identitySeed,
    diskSignature: seedHash.readUInt32LE(0),
  });
  layout.putBytes(0, systemArea);
  if (tail && tailLba !== null) layout.putBytes(tailLba, tail);
}

function placeUdf(layout: SectorLayout, input: FinishInput, sectorCount: number, closingAnchorLba: number | null): void {
  const udf = input.metadata.udf;
  if (!udf) return;
  const rendered = udf.plan.render({
    volumeSectorCount: sectorCount,
    mainSequenceLba: udf.mainSequenceLba,
    reserveSequenceLba: udf.reserveSequenceLba,
    integrityLba: udf.integrityLba,
    partitionStartLba: udf.partitionStartLba,
    fileSetLba: udf.fileSetLba,
    extentsOf: (node) => sectionsOf(input.inventory, node),
  });
  layout.putBytes(udf.recognitionLba, udf.plan.renderRecognitionSequence());
  layout.putBytes(udf.mainSequenceLba, rendered.mainSequence);
  layout.putBytes(udf.reserveSequenceLba, rendered.reserveSequence);
  layout.putBytes(udf.integrityLba, rendered.integrity);
  layout.putBytes(udfAnchorLba, rendered.anchor);
  if (closingAnchorLba !== null) layout.putBytes(closingAnchorLba, rendered.closingAnchor);
  layout.putSource(udf.fileSetLba, rendered.fileSet, 0, rendered.fileSet.sizeBytes);
}

/** Places the image's end and every metadata byte; answers the image's size in sectors. */
export function finishImage(layout: SectorLayout, input: FinishInput): number {
  const { metadata, iso, joliet } = input;
  const { sectorCount, closingAnchorLba, tailLba } = placeEnd(layout, input);
  layout.putBytes(metadata.primaryDescriptorLba, descriptor('primary', iso, metadata.isoPathTables, sectorCount, input));
  if (joliet && metadata.jolietDescriptorLba !== null && metadata.jolietPathTables) {
    layout.putBytes(metadata.jolietDescriptorLba, descriptor('joliet', joliet, metadata.jolietPathTables, sectorCount, input));
  }
  layout.putBytes(metadata.terminatorLba, buildVolumeDescriptorSetTerminator());
  placePathTables(layout, iso, metadata.isoPathTables);
  if (joliet && metadata.jolietPathTables) placePathTables(layout, joliet, metadata.jolietPathTables);
  placeDirectories(layout, iso, input);
  if (joliet) placeDirectories(layout, joliet, input);
  placeBoot(layout, input);
  placeUdf(layout, input, sectorCount, closingAnchorLba);
  placeHybrid(layout, input, sectorCount, tailLba);
  return sectorCount;
}
