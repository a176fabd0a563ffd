// `npm run screenshots`: regenerates the README's screenshot(s) with the same Chromium, web shell and
// fixtures as the end-to-end tests (playwright.config.ts), but apart from them: never part of `npm test`.
import { defineConfig } from '@playwright/test';
import e2e from './playwright.config.ts';

export default defineConfig({
  ...e2e,
  testDir: 'test/screenshots',
  outputDir: 'test-results/screenshots-run',
});
