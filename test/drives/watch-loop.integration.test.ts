// The drive watcher against the real enumeration (root only): attaching a loop device is reported
// as one `attached` change with the loop's id, detaching it as one `detached` change.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DrivesChange } from '../../shared/drive.ts';
import { watchDrives } from '../../src-main/drives/watch-drives.ts';
import { isRoot, rootSkipReason } from '../flash/loop-devices.ts';

describe.skipIf(!isRoot)(`watching real drives (${rootSkipReason})`, () => {
  const dir = mkdtempSync('/dev/shm/isotope-watch-');
  let loop: string | null = null;
  afterAll(() => {
    if (loop !== null) execFileSync('losetup', ['-d', loop], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports an attached and then a detached loop device', async () => {
    const changes: DrivesChange[] = [];
    const waitFor = async (predicate: () => boolean): Promise<void> => {
      for (let attempt = 0; attempt < 100 && !predicate(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    const watcher = watchDrives({ intervalMs: 100, onChange: (change) => changes.push(change) });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // the first enumeration is the baseline
      const backing = join(dir, 'watched.img');
      writeFileSync(backing, Buffer.alloc(8 * 1024 * 1024));
      loop = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
      const attachedId = (): string | undefined => changes.flatMap((change) => change.attached).find((id) => id.startsWith(`${loop}#`));
      await waitFor(() => attachedId() !== undefined);
      expect(attachedId()).toMatch(/^\/dev\/loop\d+#7:\d+#8388608#backing file [0-9a-f]{32}$/);
      execFileSync('losetup', ['-d', loop]);
      const id = attachedId()!;
      loop = null;
      await waitFor(() => changes.some((change) => change.detached.includes(id)));
      expect(changes.some((change) => change.detached.includes(id))).toBe(true);
    } finally {
      watcher.stop();
    }
  });
});
