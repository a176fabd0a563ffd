// Run as a child process by compressed-memory.integration.test.ts: hashes a compressed image and its
// decoded content in one pass (the four algorithms download pages publish) and prints the digests with
// this process's peak RSS, so the test measures the memory of exactly one pass.
import { defaultHashAlgorithms } from '../../../shared/checksum.ts';
import { detectFileCompression, hashCompressedFile } from '../../../src-main/checksum/hash-compressed.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: hash-compressed-image.ts IMAGE');
const compression = await detectFileCompression(path);
if (!compression) throw new Error(`${path} is not compressed`);
const result = await hashCompressedFile(path, compression, { algorithms: defaultHashAlgorithms });
// maxRSS is in KiB (getrusage ru_maxrss on Linux).
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify({ ...result, peakRssBytes })}\n`);
