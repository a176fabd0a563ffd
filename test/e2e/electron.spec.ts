// Electron smoke tests: the window opens, the preload exposes exactly the contract, and the
// renderer has no Node. They need the Electron binary, which `npm ci` never downloads here.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { _electron as electron, expect, test } from '@playwright/test';
import { callNames, eventNames } from '../../shared/contract.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';

function electronBinary(): string | null {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

test.skip(
  binary === null,
  'the Electron binary is not installed (npm ci never downloads it here; `node node_modules/electron/install.js` fetches it where the network allows)',
);
test.skip(!hasDisplay, 'no display: run under Xvfb (xvfb-run npx playwright test test/e2e/electron.spec.ts)');

test('opens a sandboxed window whose preload exposes exactly the contract', async () => {
  if (binary === null) return; // skipped above; this narrows the type
  const app = await electron.launch({ executablePath: binary, args: [repoRoot] });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { name: 'Isotope' })).toBeVisible();
    const surface = await window.evaluate(() => {
      const bridge = (globalThis as unknown as { isotope: { calls: object; events: object } }).isotope;
      return {
        top: Object.keys(bridge).sort(),
        calls: Object.keys(bridge.calls).sort(),
        events: Object.keys(bridge.events).sort(),
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
      };
    });
    expect(surface).toEqual({
      top: ['calls', 'events', 'pathForFile'],
      calls: [...callNames].sort(),
      events: [...eventNames].sort(),
      require: 'undefined',
      process: 'undefined',
    });
  } finally {
    await app.close();
  }
});
