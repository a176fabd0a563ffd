// The drive list follows attach and detach while something on screen reads it: DriveList listens to
// `drives:changed` only under an effect (createSubscriber), as a component would read it. Compiled by
// Svelte (the `.svelte.` in the name) so the test can use $effect; a real loop device, the real engine.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flushSync } from 'svelte';
import { afterAll, describe, expect, it } from 'vitest';
import { DriveList } from '../../src-renderer/state/drive-list.svelte.ts';
import { createDrivesPort } from '../../src-renderer/state/engine-ports.ts';
import { LoopDevices, isRoot, rootSkipReason } from '../flash/loop-devices.ts';
import { inProcessEngine } from './in-process-engine.ts';

const loops = new LoopDevices();
const scratch = mkdtempSync(join('/dev/shm', 'isotope-renderer-live-'));
afterAll(() => {
  loops.detachAll();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * Resolves once `condition` holds, flushing Svelte's effects between looks; fails after `limitMs`
 * (the engine re-enumerates every 2 s; a busy machine takes longer).
 */
async function eventually(condition: () => boolean, limitMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    flushSync();
    if (condition()) return;
    if (Date.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!isRoot)(`DriveList on screen (${rootSkipReason})`, () => {
  it('shows a drive attached after the list was loaded, and drops it once detached, without a reload', async () => {
    const drives = new DriveList(createDrivesPort(inProcessEngine().client));
    await drives.load(null, true);
    const seen: string[][] = [];
    const stop = $effect.root(() => {
      $effect(() => {
        seen.push(drives.visible.map((status) => status.drive.device));
      });
    });
    try {
      flushSync();
      const backing = join(scratch, 'live.img');
      writeFileSync(backing, '');
      truncateSync(backing, 8 * 1024 * 1024);
      const device = loops.attach(backing);
      expect(seen.at(-1)).not.toContain(device);

      await eventually(() => seen.at(-1)?.includes(device) === true, 20_000);
      loops.detachAll();
      await eventually(() => seen.at(-1)?.includes(device) === false, 20_000);
    } finally {
      stop();
    }
  }, 60_000);
});
