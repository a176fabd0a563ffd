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
  // Native modules cannot be loaded from inside an asar archive.
  asarUnpack: ['**/node_modules/drivelist/**'],
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
