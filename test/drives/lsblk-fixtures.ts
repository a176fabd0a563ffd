// Loads the lsblk/losetup JSON in test/fixtures/lsblk/ (recorded on the dev VM, or written in the same
// format after real machines: see test/fixtures/README.md) and builds drives from them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Drive } from '../../shared/drive.ts';
import { buildDrives } from '../../src-main/drives/build-drives.ts';
import { parseLosetupJson, parseLsblkJson, type LoopBacking, type LsblkDevice } from '../../src-main/drives/lsblk.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';

export const lsblkFixtureDir = join(repoRoot, 'test/fixtures/lsblk');

export interface LsblkFixture {
  readonly devices: LsblkDevice[];
  readonly loops: LoopBacking[];
}

export function loadLsblkFixture(name: string): LsblkFixture {
  const losetupPath = join(lsblkFixtureDir, `${name}.losetup.json`);
  return {
    devices: parseLsblkJson(readFileSync(join(lsblkFixtureDir, `${name}.lsblk.json`), 'utf8')),
    loops: existsSync(losetupPath) ? parseLosetupJson(readFileSync(losetupPath, 'utf8')) : [],
  };
}

export function fixtureDrives(name: string, systemDeviceNumbers: readonly string[] = []): { drives: Drive[]; loops: LoopBacking[] } {
  const fixture = loadLsblkFixture(name);
  return { drives: buildDrives(fixture.devices, [], { systemDeviceNumbers, loops: fixture.loops }), loops: fixture.loops };
}

export function driveNamed(drives: readonly Drive[], device: string): Drive {
  const drive = drives.find((candidate) => candidate.device === device);
  if (!drive) throw new Error(`fixture has no drive ${device}; it has ${drives.map((d) => d.device).join(', ')}`);
  return drive;
}
