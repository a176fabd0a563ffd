// Where the metadata of an authored image goes (sectors 0 to the first boot image or file): the
// volume descriptor set (ECMA-119 8), the UDF bridge's recognition and descriptor sequences with the
// anchor at 256 (ECMA-167 3/8.4.2.1), the path tables (9.4), the boot catalog (El Torito 2.0), the
// ISO 9660 and Joliet directories with the Rock Ridge continuation areas, and the UDF file set.
import { sectorBytes } from '../format/fields.ts';
import { buildPathTable, pathTableSizeBytes, type PathTableDirectory } from '../iso/path-table-writer.ts';
import { planUdfBridge, type UdfBridgePlan } from '../udf/udf-bridge-writer.ts';
import type { IsoAuthoringOptions } from './iso-authoring.ts';
import type { NamespaceTree } from './iso-namespaces.ts';
import { packContinuations, type ContinuationLayout } from './iso-rock-ridge-plan.ts';
import type { SectorLayout } from './iso-sector-layout.ts';

/** ECMA-167 3/8.4.2.1: the first Anchor Volume Descriptor Pointer lies at sector 256. */
export const udfAnchorLba = 256;
/** ECMA-119 6.2.1: sectors 0-15 are the system area; the descriptor set starts at 16. */
export const primaryDescriptorLba = 16;

export interface PathTablePlacement {
  readonly sizeBytes: number;
  readonly typeLLba: number;
  readonly typeMLba: number;
}

export interface UdfPlacement {
  readonly plan: UdfBridgePlan;
  readonly recognitionLba: number;
  readonly mainSequenceLba: number;
  readonly reserveSequenceLba: number;
  readonly integrityLba: number;
  readonly partitionStartLba: number;
  readonly fileSetLba: number;
}

export interface MetadataPlan {
  readonly primaryDescriptorLba: number;
  readonly bootRecordLba: number | null;
  readonly jolietDescriptorLba: number | null;
  readonly terminatorLba: number;
  readonly udf: UdfPlacement | null;
  readonly isoPathTables: PathTablePlacement;
  readonly jolietPathTables: PathTablePlacement | null;
  readonly catalogLba: number | null;
  readonly continuations: ContinuationLayout;
  readonly continuationLba: number;
}

/** The path table records of a tree's directories (their LBAs filled in later; sizes do not depend on them). */
export function pathTableDirectories(tree: NamespaceTree): PathTableDirectory[] {
  return tree.directories.map((directory) => ({ identifier: directory.identifier, extentLba: directory.extentLba, parentNumber: directory.parent.number }));
}

function reservePathTables(layout: SectorLayout, tree: NamespaceTree, what: string): PathTablePlacement {
  const sizeBytes = pathTableSizeBytes(pathTableDirectories(tree));
  const sectors = Math.ceil(sizeBytes / sectorBytes);
  return { sizeBytes, typeLLba: layout.reserve(`${what} path table (type L)`, sectors), typeMLba: layout.reserve(`${what} path table (type M)`, sectors) };
}

function reserveDirectories(layout: SectorLayout, tree: NamespaceTree, what: string): void {
  for (const directory of tree.directories) directory.extentLba = layout.reserve(`${what} directory ${directory.path}`, directory.sectorCount);
}

/** Reserves every metadata region in order and sets each directory's extent LBA. */
export function layoutMetadata(
  layout: SectorLayout,
  input: { options: IsoAuthoringOptions; iso: NamespaceTree; joliet: NamespaceTree | null; hasBoot: boolean },
): MetadataPlan {
  const { options, iso, joliet } = input;
  layout.reserve('system area', primaryDescriptorLba);
  layout.reserve('primary volume descriptor', 1);
  const bootRecordLba = input.hasBoot ? layout.reserve('boot record volume descriptor', 1) : null;
  const jolietDescriptorLba = joliet ? layout.reserve('Joliet supplementary volume descriptor', 1) : null;
  const terminatorLba = layout.reserve('volume descriptor set terminator', 1);
  let udf: UdfPlacement | null = null;
  if (options.udf) {
    const plan = planUdfBridge({
      root: options.root,
      volumeIdentifier: options.ids.volume,
      recordedMs: options.recordedMs,
      fixedFileTimesMs: options.fixedFileTimesMs,
      identitySeed: options.identitySeed,
    });
    const recognitionLba = layout.reserve('UDF volume recognition sequence', 3);
    const mainSequenceLba = layout.reserve('UDF main volume descriptor sequence', plan.sequenceSectors);
    const reserveSequenceLba = layout.reserve('UDF reserve volume descriptor sequence', plan.sequenceSectors);
    const integrityLba = layout.reserve('UDF logical volume integrity sequence', plan.integritySectors);
    layout.skipTo(udfAnchorLba);
    layout.reserve('UDF anchor volume descriptor pointer', 1);
    udf = { plan, recognitionLba, mainSequenceLba, reserveSequenceLba, integrityLba, partitionStartLba: 0, fileSetLba: 0 };
  }
  const isoPathTables = reservePathTables(layout, iso, 'ISO 9660');
  const jolietPathTables = joliet ? reservePathTables(layout, joliet, 'Joliet') : null;
  const catalogLba = input.hasBoot ? layout.reserve('boot catalog', 1) : null;
  reserveDirectories(layout, iso, 'ISO 9660');
  const continuations = packContinuations(iso);
  const continuationLba = layout.reserve('Rock Ridge continuation areas', continuations.sectorCount);
  if (joliet) reserveDirectories(layout, joliet, 'Joliet');
  if (udf) {
    // The partition starts at the File Set Descriptor, as genisoimage lays it out (pycdlib reads it there,
    // ignoring the Logical Volume Descriptor's pointer); file data follows, so it lies inside.
    const fileSetLba = layout.reserve('UDF file set', udf.plan.fileSetSectors);
    udf = { ...udf, partitionStartLba: fileSetLba, fileSetLba };
  }
  return {
    primaryDescriptorLba,
    bootRecordLba,
    jolietDescriptorLba,
    terminatorLba,
    udf,
    isoPathTables,
    jolietPathTables,
    catalogLba,
    continuations,
    continuationLba,
  };
}

/** The type L and M tables of a tree, each padded to its sectors, placed where they were reserved. */
export function placePathTables(layout: SectorLayout, tree: NamespaceTree, placement: PathTablePlacement): void {
  const directories = pathTableDirectories(tree);
  layout.putBytes(placement.typeLLba, buildPathTable(directories, 'little'));
  layout.putBytes(placement.typeMLba, buildPathTable(directories, 'big'));
}
