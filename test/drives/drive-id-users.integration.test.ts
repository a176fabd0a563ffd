// A drive id names the device the same way whoever enumerates: the engine runs as the user and
// sends ids, the elevated helper enumerates again as root and must find the same drive. A loop
// device over a file in a root-only folder is the hard case: the user can neither open the loop
// (losetup's backing device and inode) nor stat its backing file.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanDrives } from '../../src-main/drives/list-drives.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { LoopDevices, isRoot, rootSkipReason } from '../flash/loop-devices.ts';

const printIds = fileURLToPath(new URL('./tools/print-drive-ids.ts', import.meta.url));
/** The unprivileged user the engine runs as on a desktop. */
const nobody = 65534;

describe.skipIf(!isRoot)(`drive ids seen by root and by a user (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let loop = '';
  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-drive-ids-');
    const rootOnly = join(dir, 'root-only');
    mkdirSync(rootOnly, { mode: 0o700 });
    const backing = join(rootOnly, 'stick.img');
    writeFileSync(backing, Buffer.alloc(4 * 1024 * 1024));
    loop = loops.attach(backing);
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The drives as nobody enumerates them, judged for writing `imagePath` when given. */
  function drivesAsNobody(imagePath?: string): Record<string, { id: string; refusals: string[] }> {
    const home = join(dir, 'home'); // HOME and TMPDIR of the user (tsx keeps its cache there)
    mkdirSync(home, { recursive: true });
    chownSync(home, nobody, nobody);
    chmodSync(dir, 0o755);
    const result = spawnSync(process.execPath, ['--import', 'tsx', printIds, ...(imagePath === undefined ? [] : [imagePath])], {
      cwd: repoRoot,
      uid: nobody,
      gid: nobody,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, HOME: home, TMPDIR: home },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Record<string, { id: string; refusals: string[] }>;
  }

  it('gives a loop device over a root-only file, and every other drive, the same id for root and for nobody', async () => {
    const asRoot = Object.fromEntries((await scanDrives()).drives.map((drive) => [drive.device, drive.id]));
    const asNobody = Object.fromEntries(Object.entries(drivesAsNobody()).map(([device, drive]) => [device, drive.id]));
    expect(asNobody[loop]).toBe(asRoot[loop]);
    // The loop's id still tells it apart from another loop of the same size: it names its backing file.
    expect(asRoot[loop]).toMatch(/#backing file [0-9a-f]{32}$/);
    // Other loops may come and go between the two scans (other tests run): compare the devices both saw.
    const both = Object.keys(asRoot).filter((device) => device in asNobody);
    expect(both).toContain(loop);
    expect(Object.fromEntries(both.map((device) => [device, asNobody[device]]))).toEqual(Object.fromEntries(both.map((device) => [device, asRoot[device]])));
  });

  it('refuses, for nobody too, the loop device whose backing file is the image to write (losetup gives nobody no inode; stat does)', () => {
    const image = join(dir, 'readable.img');
    writeFileSync(image, Buffer.alloc(4 * 1024 * 1024), { mode: 0o644 });
    const readableLoop = loops.attach(image);
    expect(drivesAsNobody(image)[readableLoop]?.refusals).toContain('source-drive');
  });
});
