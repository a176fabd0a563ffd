// Unit and integration tests (everything but the browser). Playwright owns test/e2e/.
// Two projects: the engine's tests run as plain Node TypeScript; the renderer's state classes
// (src-renderer/state/*.svelte.ts) use Svelte 5 runes, which only the Svelte compiler turns into
// code, so their tests get the Svelte plugin and Svelte's client (browser) runtime. Keeping the
// plugin and the browser condition out of the engine project leaves its tests as they were.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Includes, not excludes, keep the projects apart: a project's own `exclude` would drop the command
// line's (`--exclude '**/*.integration.test.ts'`).
// test/.cache/ holds fixture trees, one with a symlink to / (authoring differential): never collect tests through it.
const engineTests = 'test/!(e2e|renderer|.cache)/**/*.test.ts';
const rendererTests = 'test/renderer/**/*.test.ts';

export default defineConfig({
  test: {
    globalSetup: ['test/setup/global-fixtures.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'engine', include: [engineTests] },
      },
      {
        extends: true,
        // Vitest runs in Node, so the plugin would compile for the server, where $state is a plain
        // field and SvelteMap a Map. The renderer runs the client build: compile it and resolve
        // svelte's own imports (svelte, svelte/reactivity) to it.
        plugins: [svelte({ dynamicCompileOptions: () => ({ generate: 'client' }) })],
        ssr: { resolve: { conditions: ['browser'] } },
        test: { name: 'renderer', include: [rendererTests] },
      },
    ],
  },
});
