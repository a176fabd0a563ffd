// Builds the renderer (src-renderer/) into dist/renderer/. Relative asset URLs so the same build
// is served by Electron's app:// protocol and by the web shell.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    // Inline assets would need `data:` in script-src/style-src; keep every asset a real file.
    assetsInlineLimit: 0,
  },
});
