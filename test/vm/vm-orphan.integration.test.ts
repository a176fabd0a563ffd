// A headless VM never outlives the engine that started it: an engine process running a trial is
// killed (SIGKILL, so no handler of its own runs) and its QEMU is gone within seconds, killed by the
// kernel (PR_SET_PDEATHSIG through setpriv). Before, the guest kept running unseen.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { qemuAvailable } from '../helpers/qemu-boot.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-vm-orphan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pids of processes whose command line contains `text` (pgrep -f), none when there are none. */
function pidsWith(text: string): number[] {
  const run = spawnSync('pgrep', ['-f', text], { encoding: 'utf8' });
  return run.stdout.split('\n').filter(Boolean).map(Number);
}

async function waitUntil(timeoutMs: number, check: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe.skipIf(!qemuAvailable() || process.platform !== 'linux')('a VM and the engine that started it', () => {
  it('QEMU dies with a killed engine instead of running on', async () => {
    const blank = join(dir, 'blank.img');
    writeFileSync(blank, '');
    truncateSync(blank, 8 * 1024 * 1024);
    const serialPath = join(dir, 'orphan-check-serial.txt'); // unique: names this run's QEMU in pgrep
    const script = join(dir, 'engine.mts');
    writeFileSync(
      script,
      `import { tryInVm } from ${JSON.stringify(join(repoRoot, 'src-main/vm/try-in-vm.ts'))};\n` +
        `await tryInVm({ imagePath: ${JSON.stringify(blank)}, firmware: 'bios', medium: 'usb', headless: true, seconds: 600, serialPath: ${JSON.stringify(serialPath)}, screenshotPath: null, allowKvm: false });\n`,
    );
    const engine = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: 'ignore' });
    try {
      expect(await waitUntil(30_000, () => pidsWith(`qemu-system-x86_64.*${serialPath}`).length > 0)).toBe(true);
      engine.kill('SIGKILL');
      expect(await waitUntil(5_000, () => pidsWith(`qemu-system-x86_64.*${serialPath}`).length === 0)).toBe(true);
    } finally {
      engine.kill('SIGKILL');
      for (const pid of pidsWith(`qemu-system-x86_64.*${serialPath}`)) process.kill(pid, 'SIGKILL'); // only this test's QEMU
    }
  }, 60_000);
});
