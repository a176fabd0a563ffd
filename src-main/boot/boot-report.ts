// Builds the boot report of an image: the El Torito catalog with what each boot image holds, the
// system area's partition maps, the EFI loaders reachable through them, a disk image's partitions,
// BIOS chain and board loaders (disk-boot-evidence.ts), and the verdict.
import type { BootReport, BootWarning, ElToritoEntry, ElToritoReport, EspLoaders, GptReport, MbrReport } from '../../shared/boot.ts';
import { readApplePartitionMap } from '../disk/apple-partition-map.ts';
import { readGuidPartitionTable } from '../disk/guid-partition-table.ts';
import { diskSectorBytes, hasProtectivePartition, readMasterBootRecord } from '../disk/master-boot-record.ts';
import { NotAnImageError } from '../format/not-an-image-error.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { FileTree } from '../format/file-tree.ts';
import { WorkBudget } from '../format/work-budget.ts';
import { readVolumeDescriptorHeader } from '../iso/volume-descriptors.ts';
import { readBootCatalog } from './boot-catalog.ts';
import { hasBootInfoTable } from './boot-info-table.ts';
import { findBootRecord } from './boot-record.ts';
import { judgeBoot } from './boot-verdict.ts';
import { readDiskBootEvidence } from './disk-boot-evidence.ts';
import { listEfiBootLoaders } from '../fat/fat-volume.ts';
import { readPartitionMap, type PartitionMapEntry } from '../disk/partition-map.ts';
import type { Revocations } from '../pe/revocations.ts';
import { readSecureBoot, type EfiVolumePlace } from './secure-boot-check.ts';

const isoSectorBytes = 2048;

export interface BootReportOptions {
  /** The ISO path of the file whose extent starts at `lba`, from a directory reader; null when none does. */
  readonly lookupPath?: (lba: number) => Promise<string | null>;
  /** When given, every EFI loader found is read and judged against this revocation data (issue 18): `secureBoot`. */
  readonly revocations?: Revocations;
  /** The image's own file tree (an ISO's), whose EFI/BOOT loaders the Secure Boot check reads too. */
  readonly tree?: FileTree;
  /** Why the image's own tree could not be opened: the Secure Boot check records its EFI/BOOT as unreadable. */
  readonly treeDamage?: string;
}

export async function readBootReport(source: ByteSource, options: BootReportOptions = {}): Promise<BootReport> {
  const isIso = await hasVolumeDescriptorSet(source);
  // One budget for every probe of the image (issue 12 §5): many entries may name one hostile volume.
  const budget = WorkBudget.for(source);
  const probeEfi = efiProber(source, budget);
  const elTorito = isIso ? await readElTorito(source, options, probeEfi) : null;
  const mbr = await readMasterBootRecord(source);
  const warnings: BootWarning[] = [];
  const gpt = await readGuidPartitionTable(source, warnings);
  const apm = await readApplePartitionMap(source);
  if (!isIso && !mbr && !gpt && !apm) {
    throw new NotAnImageError(source.name, 'no ISO 9660 volume descriptor at sector 16, no MBR, GPT or Apple partition map');
  }
  // A disk image's own evidence (partitions with logicals, BIOS chain, boards); an ISO is judged by its catalog and system area.
  const map = isIso ? null : await readPartitionMap(source, budget);
  const efiVolumes: EfiVolumePlace[] = (elTorito?.entries ?? [])
    .filter((entry) => (entry.efiLoaders?.length ?? 0) > 0)
    .map((entry) => ({ label: `El Torito image at sector ${entry.imageLba}`, offsetBytes: entry.imageLba * isoSectorBytes }));
  const espLoaders = await findEspLoaders(mbr, gpt, map?.partitions ?? [], probeEfi, efiVolumes);
  const disk = map ? await readDiskBootEvidence(source, mbr, map, budget, warnings) : null;
  const partitions = disk?.partitions ?? [];
  const verdict = judgeBoot({ isIso, elTorito, mbr, gpt, apm, espLoaders, partitions, biosChain: disk?.biosChain ?? null, boards: disk?.boards ?? noBoards });
  const secureBoot = options.revocations ? await readSecureBoot(source, efiVolumes, options, options.revocations, budget) : undefined;
  return { elTorito, mbr, gpt, apm, espLoaders, partitions, warnings, verdict, ...(secureBoot ? { secureBoot } : {}) };
}

const noBoards = { raspberryPi: null, uBoot: null } as const;

async function hasVolumeDescriptorSet(source: ByteSource): Promise<boolean> {
  const offsetBytes = 16 * isoSectorBytes;
  if (source.sizeBytes < offsetBytes + isoSectorBytes) return false;
  return readVolumeDescriptorHeader(await source.read(offsetBytes, isoSectorBytes)) !== null;
}

async function readElTorito(source: ByteSource, options: BootReportOptions, probeEfi: EfiProber): Promise<ElToritoReport | null> {
  const record = await findBootRecord(source);
  if (!record) return null;
  const catalog = await readBootCatalog(source, record.catalogLba);
  // Several entries may share an image (hostile catalogs repeat one 1024 times): look at each once.
  const infoTableByLba = new Map<number, Promise<boolean>>();
  const entries: ElToritoEntry[] = [];
  for (const entry of catalog.entries) {
    const imagePath = options.lookupPath ? await options.lookupPath(entry.imageLba) : null;
    let efiLoaders: string[] | null = null;
    if (entry.platform === 'efi') {
      efiLoaders = await probeEfi(entry.imageLba * isoSectorBytes);
    }
    entries.push({
      ...entry,
      bootInfoTable: entry.emulation === 'none' ? await once(infoTableByLba, entry.imageLba, () => hasBootInfoTable(source, entry.imageLba)) : false,
      ...(imagePath === null ? {} : { imagePath }),
      ...(efiLoaders === null ? {} : { efiLoaders }),
    });
  }
  return { catalogLba: catalog.catalogLba, validationId: catalog.validationId, entries };
}

// UEFI 2.10 5.2.3: with a protective MBR (type 0xEE) firmware reads the GPT only; otherwise the MBR's
// partitions count too (isohybrid images carry both, and edk2 uses the MBR when it has no 0xEE entry).
async function findEspLoaders(
  mbr: MbrReport | null,
  gpt: GptReport | null,
  mapped: readonly PartitionMapEntry[],
  probeEfi: EfiProber,
  places: EfiVolumePlace[],
): Promise<EspLoaders[]> {
  const candidates: { via: 'mbr' | 'gpt'; partitionIndex: number; startLba: number; withinImage: boolean }[] = [];
  for (const partition of gpt?.partitions ?? []) {
    candidates.push({ via: 'gpt', partitionIndex: partition.index, startLba: partition.firstLba, withinImage: partition.withinImage });
  }
  if (mbr && !(gpt && hasProtectivePartition(mbr))) {
    for (const partition of mbr.partitions) {
      if (partition.type === 0xee) continue;
      candidates.push({ via: 'mbr', partitionIndex: partition.index, startLba: partition.startLba, withinImage: partition.withinImage });
    }
    // EDK2's PartitionDxe (Mbr.c) follows extended partitions too, so an ESP may be a logical partition.
    for (const partition of mapped.filter((entry) => entry.logical)) {
      const startLba = partition.offsetBytes / diskSectorBytes;
      candidates.push({ via: 'mbr', partitionIndex: partition.number, startLba, withinImage: partition.withinImage });
    }
  }
  const found: EspLoaders[] = [];
  for (const candidate of candidates) {
    if (!candidate.withinImage) continue; // firmware cannot read a partition that is not there
    const loaders = await probeEfi(candidate.startLba * diskSectorBytes);
    if (loaders !== null && loaders.length > 0) {
      found.push({ via: candidate.via, partitionIndex: candidate.partitionIndex, loaders });
      places.push({ label: `${candidate.via.toUpperCase()} partition ${candidate.partitionIndex}`, offsetBytes: candidate.startLba * diskSectorBytes });
    }
  }
  return found;
}

/** The EFI loaders of the FAT volume at a byte offset; null when there is no FAT volume. */
type EfiProber = (offsetBytes: number) => Promise<string[] | null>;

/**
 * Probes each offset once, however many catalog entries and partitions name it (a hostile GPT names
 * one volume 8,192 times), and pays every probe from one budget linear in the image's size (issue 12 §5).
 */
function efiProber(source: ByteSource, budget: WorkBudget): EfiProber {
  const probes = new Map<number, Promise<string[] | null>>();
  return (offsetBytes) => once(probes, offsetBytes, () => listEfiBootLoaders(source, offsetBytes, budget));
}

function once<T>(cache: Map<number, Promise<T>>, key: number, compute: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (!pending) {
    pending = compute();
    cache.set(key, pending);
  }
  return pending;
}
