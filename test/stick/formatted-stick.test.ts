// Restoring a stick to a normal one: composeFormattedStick's empty FAT32 or exFAT volume on a fresh
// MBR or GPT, written to a sparse file standing in for a drive and read by sfdisk/sgdisk, fsck.fat,
// fsck.exfat, blkid and mtools.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeFormattedStick } from '../../src-main/stick/compose-stick.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { writeStickAndPartition } from './stick-file.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-formatted-stick-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const deviceSizeBytes = 64 * 1024 * 1024;

describe('composeFormattedStick', () => {
  it('makes an empty FAT32 stick on MBR that fsck.fat and blkid accept', async () => {
    const stick = composeFormattedStick({ deviceSizeBytes, fileSystem: 'fat32', label: 'RESTORED', table: 'mbr' });
    expect(stick.files.size).toBe(0);
    const { partition } = await writeStickAndPartition(stick, scratch, deviceSizeBytes, 'format-fat32');
    runTool('fsck.fat', ['-n', partition]);
    expect(runTool('blkid', ['-p', '-o', 'export', partition])).toMatch(/LABEL=RESTORED[\s\S]*TYPE=vfat/);
    expect(runTool('mdir', ['-b', '-i', partition, '::/'])).toBe('');
  });

  it('makes an empty exFAT stick on GPT, a basic data partition, that fsck.exfat and blkid accept', async () => {
    const stick = composeFormattedStick({ deviceSizeBytes, fileSystem: 'exfat', label: 'Big Stick', table: 'gpt' });
    const { disk, partition } = await writeStickAndPartition(stick, scratch, deviceSizeBytes, 'format-exfat');
    expect(runTool('sgdisk', ['-v', disk])).toMatch(/No problems found/);
    expect(runTool('sgdisk', ['-i', '1', disk])).toMatch(/EBD0A0A2-B9E5-4433-87C0-68B6B72699C7/);
    runTool('fsck.exfat', ['-n', partition]);
    expect(runTool('blkid', ['-p', '-o', 'export', partition])).toMatch(/LABEL=Big\\ Stick[\s\S]*TYPE=exfat/);
  });
});
