// One Isotope download in its own process, so the benchmark can take its peak RSS; prints JSON. The
// benchmark bundles this file with esbuild and runs it with plain node (the product's code and
// memory, not tsx's). Usage: node download-once.js URL OUTPUT CA_PATH
import { readFileSync } from 'node:fs';
import { downloadToFile } from '../../../src-main/net/http-download.ts';

const [url = '', outputPath = '', caPath = ''] = process.argv.slice(2);
const startedMs = performance.now();
const outcome = await downloadToFile({ urls: [url], partialPath: outputPath, resume: false, extraCaPem: readFileSync(caPath, 'utf8'), env: {} });
const elapsedMs = performance.now() - startedMs;
process.stdout.write(
  `${JSON.stringify({ elapsedMs, sha256: outcome.sha256, sizeBytes: outcome.sizeBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
