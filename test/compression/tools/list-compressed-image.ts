// Run as a child process by large-xz.integration.test.ts: opens an image the way `isotope ls` does
// (openImageFile: compressed or not), lists its root, and prints the names with this process's peak
// RSS, so the test measures the memory of exactly one inspection.
import { openImageFile } from '../../../src-main/image/open-image-file.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: list-compressed-image.ts IMAGE');
const opened = await openImageFile(path);
try {
  const entries = await opened.image.listDirectory(opened.image.root);
  // maxRSS is in KiB (getrusage ru_maxrss on Linux).
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ names: entries.map((entry) => entry.name), sizeBytes: opened.file.sizeBytes, peakRssBytes })}\n`);
} finally {
  await opened.close();
}
