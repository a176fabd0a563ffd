// A disk image's partitions as one list, whatever table holds them: MBR primaries and logical
// partitions, or GPT. Stub: filled next.
import type { DiskPartitionInfo } from '../../shared/image.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { WorkBudget } from '../format/work-budget.ts';

export type PartitionMapEntry = Omit<DiskPartitionInfo, 'filesystem' | 'folderName'>;

export interface PartitionMap {
  readonly table: 'mbr' | 'gpt' | 'none';
  readonly partitions: readonly PartitionMapEntry[];
  readonly requiredTargetBytes: number;
  readonly warnings: readonly string[];
}

export function readPartitionMap(source: ByteSource, _budget?: WorkBudget): Promise<PartitionMap> {
  return Promise.resolve({ table: 'none', partitions: [], requiredTargetBytes: source.sizeBytes, warnings: [] });
}
