// The Apple Partition Map (Inside Macintosh: Devices, "SCSI Manager": the Driver Descriptor Record
// in block 0, then one partition map entry per block from block 1). Hybrid ISOs carry one for old Macs.
import type { ApmPartition, ApmReport } from '../../shared/boot.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { corruptAt, FieldReader, readRegion } from '../format/fields.ts';

/** Leniency limit: real maps hold a handful of entries; more than this is hostile. */
const maxMapEntries = 256;
const entryBytes = 512; // the fields of an entry fit in the first 512 bytes of its block

/** Reads the map; null when neither a Driver Descriptor Record nor a map entry at block 1 is there. */
export async function readApplePartitionMap(source: ByteSource): Promise<ApmReport | null> {
  if (source.sizeBytes < 1024) return null;
  const block0 = new FieldReader(await readRegion(source, { offsetBytes: 0, sectorBytes: 512 }, 512, 'Driver Descriptor Record'), {
    offsetBytes: 0,
    sectorBytes: 512,
  });
  let blockSizeBytes = 512;
  // Driver Descriptor Record: sbSig 'ER' (0x4552) then sbBlkSize, big-endian.
  if (block0.uint16Be(0, 'sbSig') === 0x4552) {
    blockSizeBytes = block0.uint16Be(2, 'sbBlkSize');
    if (![512, 1024, 2048, 4096].includes(blockSizeBytes)) {
      // An 'ER' with a nonsense block size: not a map Isotope can read; the MBR may still be fine.
      return null;
    }
  }
  if (source.sizeBytes < blockSizeBytes * 2) return null;
  const first = await readEntry(source, blockSizeBytes, 1);
  if (!first) return null;
  // Partition map entry: pmMapBlkCnt is the number of entries in the map (each entry repeats it).
  const mapEntryCount = first.fields.uint32Be(4, 'pmMapBlkCnt');
  if (mapEntryCount < 1 || mapEntryCount > maxMapEntries) {
    throw corruptAt(first.fields.place, 4, `Apple partition map declares ${mapEntryCount} entries, not 1-${maxMapEntries}`);
  }
  const partitions: ApmPartition[] = [toPartition(first.fields, 1)];
  for (let index = 2; index <= mapEntryCount; index += 1) {
    const entry = await readEntry(source, blockSizeBytes, index);
    if (!entry) {
      throw corruptAt(
        { offsetBytes: index * blockSizeBytes, sectorBytes: blockSizeBytes },
        0,
        `Apple partition map entry ${index} of ${mapEntryCount} lacks its 'PM' signature`,
      );
    }
    partitions.push(toPartition(entry.fields, index));
  }
  return { blockSizeBytes, partitions };
}

async function readEntry(source: ByteSource, blockSizeBytes: number, index: number): Promise<{ fields: FieldReader } | null> {
  const place = { offsetBytes: index * blockSizeBytes, sectorBytes: blockSizeBytes };
  const bytes = await readRegion(source, place, entryBytes, `Apple partition map entry ${index}`);
  const fields = new FieldReader(bytes, place);
  // pmSig 'PM' (0x504D).
  return fields.uint16Be(0, 'pmSig') === 0x504d ? { fields } : null;
}

function toPartition(fields: FieldReader, index: number): ApmPartition {
  return {
    index,
    startBlock: fields.uint32Be(8, 'pmPyPartStart'),
    blockCount: fields.uint32Be(12, 'pmPartBlkCnt'),
    name: fields.ascii(16, 32, 'pmPartName'),
    type: fields.ascii(48, 32, 'pmParType'),
  };
}
