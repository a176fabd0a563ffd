// The plan summary of an authored image (IsoLayoutSummary): what `--dry-run` prints and the GUI
// previews. Per-file and per-directory regions and renamed names are capped so a tree of 50,000 files
// (or folders) stays a small answer.
import type { IsoLayoutSummary, IsoPlanRegion } from '../../shared/authoring.ts';
import { sectorBytes } from '../format/fields.ts';
import type { IsoAuthoringOptions } from './iso-authoring.ts';
import { plannedBootEntries, type PlacedBootImage } from './iso-boot-plan.ts';
import type { TreeInventory } from './iso-file-data.ts';
import type { NamespaceTree } from './iso-namespaces.ts';
import type { SectorLayout } from './iso-sector-layout.ts';

/** The most per-file regions a summary lists; the rest are counted in regionsOmitted. */
export const maxSummaryFileRegions = 2000;
/** The most directory regions (ISO 9660 and Joliet together) a summary lists; the rest are counted in regionsOmitted. */
export const maxSummaryDirectoryRegions = 2000;
/** The most renamed names a summary lists. */
export const maxSummaryRenamed = 200;

type Renamed = IsoLayoutSummary['renamed'][number];

/** True when the recorded identifier says more than the name fitted to the namespace's case and version. */
function isRenamed(name: string, recordedAs: string, namespace: 'iso9660' | 'joliet'): boolean {
  const bare = recordedAs.replace(/;1$/, '');
  if (namespace === 'joliet') return bare !== name;
  // ECMA-119 7.5.1: a file without an extension is recorded as 'NAME.' (the separator is required).
  return bare.replace(/\.$/, '') !== name.toUpperCase().replace(/\.$/, '');
}

function collectRenamed(trees: readonly NamespaceTree[]): Renamed[] {
  const renamed: Renamed[] = [];
  for (const tree of trees) {
    for (const moved of tree.relocated) {
      if (renamed.length >= maxSummaryRenamed) return renamed;
      renamed.push({ path: moved.originalPath, namespace: 'rr-moved', recordedAs: moved.recordedPath });
    }
  }
  for (const tree of trees) {
    for (const directory of tree.directories) {
      for (const entry of directory.entries) {
        if (entry.relocation === 'relocated' || !isRenamed(entry.node.name, entry.recordedAs, tree.kind)) continue;
        if (renamed.length >= maxSummaryRenamed) return renamed;
        renamed.push({ path: entry.path, namespace: tree.kind, recordedAs: entry.recordedAs });
      }
    }
  }
  return renamed;
}

/**
 * The layout's regions in LBA order, each kind of per-entry region (a file's data, a directory's
 * records: a hostile tree can hold hundreds of thousands of either) capped at its own maximum; what is
 * left out is counted (file regions beyond the cap the layout did not even name).
 */
function listedRegions(layout: SectorLayout): { regions: IsoPlanRegion[]; regionsOmitted: number } {
  const sorted = [...layout.regions].sort((a, b) => a.startLba - b.startLba);
  const regions: IsoPlanRegion[] = [];
  let fileRegions = 0;
  let directoryRegions = 0;
  let regionsOmitted = 0;
  for (const region of sorted) {
    const kind = perEntryKind(region.name);
    if (kind === 'file') fileRegions += 1;
    if (kind === 'directory') directoryRegions += 1;
    const overCap = (kind === 'file' && fileRegions > maxSummaryFileRegions) || (kind === 'directory' && directoryRegions > maxSummaryDirectoryRegions);
    if (overCap) regionsOmitted += 1;
    else regions.push(region);
  }
  return { regions, regionsOmitted: regionsOmitted + Math.max(0, layout.fileRegionCount - fileRegions) };
}

/** How iso-metadata-layout.ts names a directory's region in each namespace ('ISO 9660 directory /boot'). */
const directoryRegionPrefixes = ['ISO 9660 directory /', 'Joliet directory /'];

/** Which per-entry list a region belongs to: a file's data ('file /a.txt', plan-iso.ts), a directory's records, or neither. */
function perEntryKind(name: string): 'file' | 'directory' | null {
  if (name.startsWith('file ')) return 'file';
  return directoryRegionPrefixes.some((prefix) => name.startsWith(prefix)) ? 'directory' : null;
}

export function summarizePlan(input: {
  options: IsoAuthoringOptions;
  inventory: TreeInventory;
  iso: NamespaceTree;
  joliet: NamespaceTree | null;
  layout: SectorLayout;
  sectorCount: number;
  bootImages: readonly PlacedBootImage[];
  /** The UDF bridge's own (names cut to 255 bytes, symlinks and special files left out); empty without one. */
  udfWarnings: readonly string[];
}): IsoLayoutSummary {
  const { options, inventory, layout } = input;
  const hybrid = options.boot.hybrid;
  return {
    sizeBytes: input.sectorCount * sectorBytes,
    sectorCount: input.sectorCount,
    fileCount: inventory.fileCount,
    directoryCount: inventory.directoryCount,
    fileBytes: inventory.fileBytes,
    label: options.ids.volume,
    level: options.level,
    namespaces: { rockRidge: options.rockRidge, joliet: options.joliet, udf: options.udf },
    ...listedRegions(layout),
    boot: {
      entries: plannedBootEntries(input.bootImages),
      hybrid: { mbr: hybrid !== null && hybrid.mbrBootCode !== null, gpt: hybrid?.gpt ?? false, apm: hybrid?.apm ?? false },
      detected: [...options.bootDetected],
    },
    renamed: collectRenamed(input.joliet ? [input.iso, input.joliet] : [input.iso]),
    warnings: [...options.warnings, ...input.udfWarnings],
  };
}
