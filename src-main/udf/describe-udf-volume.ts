// What `isotope info` says about a UDF volume: revision, identifiers, partition maps, and one walk of
// the tree for the largest file and a Windows installer's markers (sources/install.wim or .esd,
// bootmgr, efi/boot/bootx64.efi), matched case-insensitively as Windows names them.
import type { UdfVolumeInfo, WindowsInstallerInfo } from '../../shared/image.ts';
import type { UdfTree } from './udf-tree.ts';

export async function describeUdfVolume(tree: UdfTree, isoTreeIsStub: boolean): Promise<UdfVolumeInfo> {
  let largestFile: { path: string; sizeBytes: number } | null = null;
  let fileCount = 0;
  let installImage: { path: string; sizeBytes: number } | null = null;
  let hasBootmgr = false;
  let hasEfiBoot = false;
  for await (const batch of tree.walkBatches()) {
    for (const entry of batch) {
      if (entry.type !== 'file') continue;
      fileCount += 1;
      if (!largestFile || entry.sizeBytes > largestFile.sizeBytes) largestFile = { path: entry.path, sizeBytes: entry.sizeBytes };
      const lower = entry.path.toLowerCase();
      if (lower === '/sources/install.wim' || lower === '/sources/install.esd') installImage = { path: entry.path, sizeBytes: entry.sizeBytes };
      else if (lower === '/bootmgr') hasBootmgr = true;
      else if (lower === '/efi/boot/bootx64.efi') hasEfiBoot = true;
    }
  }
  const windowsInstaller: WindowsInstallerInfo | null = installImage
    ? { installImagePath: installImage.path, installImageSizeBytes: installImage.sizeBytes, hasBootmgr, hasEfiBoot }
    : null;
  return {
    revision: tree.revision,
    logicalVolumeIdentifier: tree.logicalVolume.logicalVolumeIdentifier,
    volumeIdentifier: tree.primary.volumeIdentifier,
    volumeSetIdentifier: tree.primary.volumeSetIdentifier,
    fileSetIdentifier: tree.fileSetIdentifier,
    logicalBlockSizeBytes: tree.blockBytes,
    partitionMaps: tree.logicalVolume.partitionMaps.map((map) => map.kind),
    recordedMs: tree.primary.recordedMs,
    isoTreeIsStub,
    windowsInstaller,
    largestFile,
    fileCount,
  };
}
