// The primary and Joliet volume descriptor writers, read back by the descriptor parser (iso/volume-descriptors.ts).
import { describe, expect, test } from 'vitest';
import { noSystemUse, writeDirectoryRecord } from '../../../src-main/iso/directory-record-writer.ts';
import { buildVolumeDescriptor, buildVolumeDescriptorSetTerminator } from '../../../src-main/iso/volume-descriptor-writer.ts';
import { parseVolumeDescriptor, readVolumeDescriptorHeader } from '../../../src-main/iso/volume-descriptors.ts';

const recordedMs = Date.UTC(2024, 5, 15, 12, 30, 45, 670);

function rootRecord(): Uint8Array {
  const record = new Uint8Array(34);
  writeDirectoryRecord(record, 0, { identifier: Uint8Array.of(0), extentLba: 30, dataLengthBytes: 2048, flags: 2, recordedMs, systemUse: noSystemUse });
  return record;
}

const ids = { system: 'LINUX', volume: 'MY_DISC', volumeSet: 'SET', publisher: 'PUBLISHER', preparer: 'PREPARER', application: 'APP' };

describe('buildVolumeDescriptor', () => {
  test('a primary descriptor reads back with its identifiers, size, path table, root record and dates', () => {
    const sector = buildVolumeDescriptor({
      kind: 'primary',
      ids,
      volumeSpaceSizeSectors: 5000,
      pathTableSizeBytes: 46,
      typeLPathTableLba: 19,
      typeMPathTableLba: 20,
      rootDirectoryRecord: rootRecord(),
      recordedMs,
    });
    expect(readVolumeDescriptorHeader(sector)).toEqual({ type: 1, version: 1 });
    const parsed = parseVolumeDescriptor(sector, 16, 'primary');
    expect(parsed).toMatchObject({
      systemIdentifier: 'LINUX',
      volumeIdentifier: 'MY_DISC',
      volumeSpaceSizeBlocks: 5000,
      logicalBlockSizeBytes: 2048,
      volumeSetIdentifier: 'SET',
      publisherIdentifier: 'PUBLISHER',
      dataPreparerIdentifier: 'PREPARER',
      applicationIdentifier: 'APP',
      creationMs: recordedMs,
      modificationMs: recordedMs,
      expirationMs: null,
      effectiveMs: recordedMs,
    });
    expect(parsed.rootDirectoryRecord).toMatchObject({ extentLba: 30, dataLengthBytes: 2048 });
    const view = new DataView(sector.buffer);
    expect([view.getUint32(132, true), view.getUint32(136, false), view.getUint32(140, true), view.getUint32(148, false)]).toEqual([46, 46, 19, 20]);
    expect(sector[881]).toBe(1);
  });

  test('a Joliet descriptor names UCS-2 level 3 and holds the label in UCS-2, astral characters as _', () => {
    const sector = buildVolumeDescriptor({
      kind: 'joliet',
      ids: { ...ids, volume: 'Ünïcode 🎵 label that is long' },
      volumeSpaceSizeSectors: 5000,
      pathTableSizeBytes: 46,
      typeLPathTableLba: 21,
      typeMPathTableLba: 22,
      rootDirectoryRecord: rootRecord(),
      recordedMs,
    });
    expect(readVolumeDescriptorHeader(sector)).toEqual({ type: 2, version: 1 });
    const parsed = parseVolumeDescriptor(sector, 17, 'supplementary');
    expect(parsed.jolietLevel).toBe(3);
    expect(parsed.volumeIdentifier).toBe('Ünïcode _ label '.trimEnd()); // 16 UCS-2 units
    expect(parsed.publisherIdentifier).toBe('PUBLISHER');
  });

  test('the terminator is type 255', () => {
    expect(readVolumeDescriptorHeader(buildVolumeDescriptorSetTerminator())).toEqual({ type: 255, version: 1 });
  });
});
