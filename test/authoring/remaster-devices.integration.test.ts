// Device nodes in a remastered image (root: mknod): their numbers read from the original's Rock Ridge
// PN entries (libisofs records a Linux dev_t split into its high and low words) and recorded again,
// so xorriso reads the same numbers in the new image, a large one (minor above 255) included.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planIso } from '../../src-main/authoring/plan-iso.ts';
import { remasterAuthoringOptions } from '../../src-main/authoring/remaster-request.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { xorrisoOracle } from './differential/oracles/xorriso-oracle.ts';
import { walkNodes } from './remaster-helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'remaster-devices-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const devices = [
  { name: 'null', type: 'c', major: 1, minor: 3 },
  { name: 'sda1', type: 'b', major: 8, minor: 1 },
  { name: 'loop7', type: 'b', major: 7, minor: 7 },
  { name: 'nvme', type: 'b', major: 259, minor: 300 },
] as const;

describe('a remastered image with device nodes', () => {
  it('keeps each device number, common and large, as xorriso reads it in the original and in the new image', async () => {
    const tree = join(scratch, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'README'), 'devices\n');
    for (const device of devices) runTool('mknod', [join(tree, device.name), device.type, String(device.major), String(device.minor)]);
    const imagePath = join(scratch, 'devices.iso');
    runTool('xorriso', ['-outdev', imagePath, '-map', tree, '/', '-commit']);

    const remastered = await remasterAuthoringOptions({ imagePath, outputPath: join(scratch, 'out.iso'), edits: [] });
    const outputPath = join(scratch, 'out.iso');
    try {
      const numbers = Object.fromEntries([...walkNodes(remastered.options.root)].map(({ path, node }) => [path, node.device]));
      expect(numbers).toMatchObject(Object.fromEntries(devices.map((device) => [`/${device.name}`, { major: device.major, minor: device.minor }])));
      const planned = await planIso(remastered.options);
      writeFileSync(outputPath, await planned.source.read(0, planned.source.sizeBytes));
    } finally {
      await remastered.close();
    }
    const read = async (path: string): Promise<Record<string, string | undefined>> => {
      const listing = await xorrisoOracle.read(path, 'rockridge', { content: false, scratchDir: scratch });
      return Object.fromEntries(listing.entries.map((entry) => [entry.path, entry.device]));
    };
    const original = await read(imagePath);
    expect(original).toMatchObject({ '/null': '1,3', '/sda1': '8,1', '/loop7': '7,7', '/nvme': '259,300' });
    expect(await read(outputPath)).toEqual(original);
  });
});
