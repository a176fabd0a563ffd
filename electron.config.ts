// How Isotope is built and packaged: the one place that says so. `npm run build` makes dist/
// (scripts/build.js); `npm run dist` hands dist/ to electron-builder with this configuration.
import type { Configuration } from 'electron-builder';

const config: Configuration = {
  appId: 'org.isotope.app',
  productName: 'Isotope',
  copyright: 'Copyright © 2026 the Isotope authors',
  directories: { output: 'release', buildResources: 'resources' },
  // Only what the app runs: the build output and package.json. Runtime dependencies are added by
  // electron-builder from package.json "dependencies".
  files: ['dist/**', 'bin/**', 'package.json', '!**/*.map'],
  // Native modules (drivelist, node-liblzma, zstd-napi) cannot load from inside an asar archive, and worker
  // threads start from real files only: the hashing workers (dist/main/hash-worker.js and the chunks
  // it imports), the flash engine's hash worker, which requires hash-wasm by absolute path, and the
  // parse worker (dist/main/parse-worker.js).
  asarUnpack: [
    '**/node_modules/drivelist/**',
    '**/node_modules/node-liblzma/**',
    '**/node_modules/zstd-napi/**',
    '**/node_modules/hash-wasm/**',
    'dist/main/**',
  ],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'System',
    icon: 'resources/icon.png',
    synopsis: 'Flash, verify and explore disk images',
  },
  deb: { depends: ['libnotify4', 'libxtst6', 'libnss3'] },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.utilities' },
};

export default config;
