// `npm start`: build, then open the desktop app. Without the Electron binary (it is never
// downloaded by `npm ci` here), try to fetch it once; if that fails (offline) or there is no display,
// start the web shell instead, which prints one line: "Isotope is running at http://127.0.0.1:PORT/#token=..."
// (the token in the fragment, which the browser keeps to itself). Everything else this script says
// goes to stderr, so stdout carries only that line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const say = (line) => process.stderr.write(`isotope: ${line}\n`);

function run(command, args) {
  return spawnSync(command, args, { stdio: ['ignore', 2, 2] }).status === 0;
}

function electronBinary() {
  try {
    const path = require('electron'); // a path string when the binary is installed, else it throws
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

// --no-build: the e2e tests start the app exactly as `npm start` does, on the build `npm test` made.
if (!process.argv.includes('--no-build') && !run(process.execPath, ['scripts/build.js'])) {
  say('the build failed; see above');
  process.exit(1);
}

let electron = electronBinary();
if (electron === null) {
  say('the Electron binary is not installed; trying to fetch it once');
  const fetch = spawnSync(process.execPath, ['node_modules/electron/install.js'], { encoding: 'utf8', timeout: 300_000 });
  if (fetch.status === 0) electron = electronBinary();
  // The installer's stack trace says nothing a user can act on; its first error line does.
  else say(`fetching Electron failed: ${/^\w*Error:.*$/m.exec(fetch.stderr ?? '')?.[0] ?? `exit ${fetch.status}`}`);
}

const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
let child;
if (electron !== null && hasDisplay) {
  child = spawn(electron, ['.'], { stdio: 'inherit' });
} else {
  say(electron === null ? 'Electron is unavailable (offline?): starting the web shell instead' : 'no display: starting the web shell instead');
  child = spawn(process.execPath, ['bin/isotope.js', 'web'], { stdio: 'inherit' });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
