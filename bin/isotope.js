#!/usr/bin/env node
// The `isotope` command (package.json "bin"): runs the built engine. Build it first with `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('isotope: not built yet; run `npm run build` first\n');
  process.exit(2);
}
await import(entry.href);
