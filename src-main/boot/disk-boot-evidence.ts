// What a disk image (not an ISO) shows about how it boots beyond the PC rules: its partitions (MBR
// primaries and logicals, or GPT) with their file systems, how BIOS goes on from the MBR code, the
// Raspberry Pi firmware on the first partition and a U-Boot loader where an SoC's boot ROM reads it.
// Every probe reads the image once and is paid from the report's one budget.
import type { BiosBootChain, BoardBoot, BootPartition, BootWarning, MbrReport, UBootLoader } from '../../shared/boot.ts';
import type { FilesystemKind } from '../../shared/image.ts';
import { identifyBrowsableKind, identifyFilesystemSignature } from '../disk/filesystem-signatures.ts';
import type { PartitionMap, PartitionMapEntry } from '../disk/partition-map.ts';
import { openFatVolume, readDirectory, walkClusterChain, type FatDirectoryEntry, type FatVolume } from '../fat/fat-volume.ts';
import { readRegion } from '../format/fields.ts';
import type { WorkBudget } from '../format/work-budget.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import { sliceSource } from '../io/slice-source.ts';
import { readBiosChain } from './bios-chain.ts';
import { recogniseRaspberryPiFiles } from './raspberry-pi-firmware.ts';
import { findRawUBootLoader, rawLoaderAreaBytes, recogniseMloFile } from './u-boot-loaders.ts';

export interface DiskBootEvidence {
  readonly partitions: readonly BootPartition[];
  readonly biosChain: BiosBootChain | null;
  readonly boards: BoardBoot;
}

/** The bytes a file system probe reads (identifyBrowsableKind and identifyFilesystemSignature read at most 132 KiB). */
const filesystemProbeBytes = 132 * 1024;
/** The bytes of an MLO file whose header is judged (its TOC is the first 512 bytes; the version banner follows within 128 KiB). */
const mloHeadBytes = 128 * 1024;

/** A damaged FAT partition the board probes read is pushed to `warnings`: the PC verdicts still stand. */
export async function readDiskBootEvidence(
  source: ByteSource,
  mbr: MbrReport | null,
  map: PartitionMap,
  budget: WorkBudget,
  warnings: BootWarning[],
): Promise<DiskBootEvidence> {
  // Each volume is probed once, however many entries name it (a hostile GPT names one volume 8,192 times).
  const probes = new Map<string, Promise<FilesystemKind | null>>();
  const partitions: BootPartition[] = [];
  for (const entry of map.partitions) {
    const key = `${entry.offsetBytes}+${entry.sizeBytes}`;
    let probe = probes.get(key);
    if (!probe) {
      probe = identifyFilesystem(source, entry, budget);
      probes.set(key, probe);
    }
    partitions.push({ ...describePartition(entry), filesystem: await probe });
  }
  const biosChain = mbr ? await readBiosChain(source, mbr, map, budget) : null;
  const fatRoots = new FatRoots(source, budget);
  const first = partitions[0];
  const raspberryPi =
    first && isFat(first.filesystem)
      ? await unlessDamaged(first, 'Raspberry Pi files', warnings, async () => recogniseRaspberryPiFiles(await fatRoots.names(first), first.number))
      : null;
  const uBoot = (await findRawLoader(source, map, budget)) ?? (await findMloFile(partitions, fatRoots, warnings));
  return { partitions, biosChain, boards: { raspberryPi, uBoot } };
}

function describePartition(entry: PartitionMapEntry): Omit<BootPartition, 'filesystem'> {
  return {
    number: entry.number,
    scheme: entry.scheme === 'gpt' ? 'gpt' : 'mbr',
    logical: entry.logical,
    typeCode: entry.typeCode,
    typeName: entry.typeName,
    offsetBytes: entry.offsetBytes,
    sizeBytes: entry.sizeBytes,
    bootable: entry.bootable,
  };
}

/** The file system kind by its magic (FAT, exFAT, ext, ISO 9660, UDF) or signature (NTFS, btrfs, swap, ...); null when none. */
async function identifyFilesystem(source: ByteSource, entry: PartitionMapEntry, budget: WorkBudget): Promise<FilesystemKind | null> {
  if (entry.offsetBytes >= source.sizeBytes) return null;
  const volume = sliceSource(source, entry.offsetBytes, Math.min(entry.sizeBytes, source.sizeBytes - entry.offsetBytes));
  budget.spend(Math.min(filesystemProbeBytes, volume.sizeBytes) * 2, `the file system probe of partition ${entry.number} at byte ${entry.offsetBytes}`);
  return (await identifyBrowsableKind(volume)) ?? (await identifyFilesystemSignature(volume))?.kind ?? null;
}

function isFat(kind: FilesystemKind | null): boolean {
  return kind === 'fat12' || kind === 'fat16' || kind === 'fat32';
}

/**
 * Loaders lie before the first partition: read that once. Without a partition table there is no
 * "before": the first MiB may be a file system's own data (a file holding U-Boot is not a loader).
 */
async function findRawLoader(source: ByteSource, map: PartitionMap, budget: WorkBudget): Promise<UBootLoader | null> {
  if (map.table === 'none') return null;
  const firstStartBytes = Math.min(source.sizeBytes, ...map.partitions.map((partition) => partition.offsetBytes));
  const areaBytes = Math.min(rawLoaderAreaBytes, firstStartBytes);
  if (areaBytes <= 0) return null;
  budget.spend(areaBytes, 'the raw loader area before the first partition');
  return findRawUBootLoader(await readRegion(source, { offsetBytes: 0, sectorBytes: 512 }, areaBytes, 'raw loader area'));
}

/** TI's ROM loads MLO from the active FAT partition, else the first FAT one (AM335x TRM 26.1.8.5.5). */
async function findMloFile(partitions: readonly BootPartition[], fatRoots: FatRoots, warnings: BootWarning[]): Promise<UBootLoader | null> {
  const fat = partitions.filter((partition) => isFat(partition.filesystem) && !partition.logical);
  const candidate = fat.find((partition) => partition.bootable) ?? fat[0];
  if (!candidate) return null;
  return unlessDamaged(candidate, 'a TI MLO file', warnings, async () => {
    const mlo = (await fatRoots.entries(candidate)).find((entry) => !entry.isDirectory && entry.name.toUpperCase() === 'MLO');
    if (!mlo) return null;
    const head = await fatRoots.readFileHead(candidate, mlo, mloHeadBytes);
    return head ? recogniseMloFile(head.bytes, head.offsetBytes, mlo.sizeBytes, candidate.number) : null;
  });
}

/**
 * A board probe of one FAT partition; when that file system is damaged (a cluster chain that loops,
 * a boot sector that contradicts itself) its answer is unknown, said as a warning naming the partition,
 * and the rest of the report (partitions, BIOS chain, ESP loaders) stands.
 */
async function unlessDamaged<T>(partition: BootPartition, what: string, warnings: BootWarning[], probe: () => Promise<T | null>): Promise<T | null> {
  try {
    return await probe();
  } catch (error) {
    if (!(error instanceof CorruptImageError)) throw error;
    warnings.push({ code: 'fat-partition-damaged', message: `FAT partition ${partition.number} is damaged (${error.message}): ${what} unknown` });
    return null;
  }
}

/** The root directories of FAT partitions, each read once however many probes ask. */
class FatRoots {
  private readonly volumes = new Map<number, Promise<{ volume: FatVolume; entries: FatDirectoryEntry[] } | null>>();

  constructor(
    private readonly source: ByteSource,
    private readonly budget: WorkBudget,
  ) {}

  async names(partition: BootPartition): Promise<string[]> {
    return (await this.entries(partition)).filter((entry) => !entry.isDirectory).map((entry) => entry.name);
  }

  async entries(partition: BootPartition): Promise<FatDirectoryEntry[]> {
    return (await this.root(partition))?.entries ?? [];
  }

  /** The first `lengthBytes` of a file, through its cluster chain (FAT spec 4; data clusters are numbered from 2). */
  async readFileHead(partition: BootPartition, file: FatDirectoryEntry, lengthBytes: number): Promise<{ bytes: Uint8Array; offsetBytes: number } | null> {
    const root = await this.root(partition);
    if (!root || file.firstCluster < 2 || file.sizeBytes === 0) return null;
    const { volume } = root;
    const headBytes = Math.min(lengthBytes, file.sizeBytes);
    const clusters: number[] = [];
    await walkClusterChain(volume, file.firstCluster, { maxClusters: Math.ceil(headBytes / volume.bytesPerCluster), longerIsCorrupt: false }, (cluster) => {
      clusters.push(cluster);
    });
    const bytes = new Uint8Array(headBytes);
    this.budget.spend(headBytes, `the first ${headBytes} bytes of ${file.name}`);
    for (const [index, cluster] of clusters.entries()) {
      const at = index * volume.bytesPerCluster;
      const length = Math.min(volume.bytesPerCluster, headBytes - at);
      const offsetBytes = volume.dataOffsetBytes + (cluster - 2) * volume.bytesPerCluster;
      bytes.set(await readRegion(this.source, { offsetBytes, sectorBytes: 512 }, length, file.name), at);
    }
    return { bytes, offsetBytes: volume.dataOffsetBytes + (file.firstCluster - 2) * volume.bytesPerCluster };
  }

  private root(partition: BootPartition): Promise<{ volume: FatVolume; entries: FatDirectoryEntry[] } | null> {
    let pending = this.volumes.get(partition.offsetBytes);
    if (!pending) {
      pending = (async () => {
        const volume = await openFatVolume(this.source, partition.offsetBytes, this.budget);
        return volume ? { volume, entries: await readDirectory(volume, 0) } : null;
      })();
      this.volumes.set(partition.offsetBytes, pending);
    }
    return pending;
  }
}
