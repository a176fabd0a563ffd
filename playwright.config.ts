// End-to-end tests: Debian's Chromium (never a downloaded browser) against the real web shell and
// engine, and Electron smoke tests where the Electron binary exists.
import { defineConfig } from '@playwright/test';

export const chromiumPath = '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  globalSetup: './test/setup/global-fixtures.ts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  reporter: [['list']],
  timeout: 60_000,
  use: {
    launchOptions: {
      executablePath: chromiumPath,
      // As root in CI: no sandbox; the networking flags stop Chromium calling home on a closed network.
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    screenshot: 'only-on-failure',
  },
});
