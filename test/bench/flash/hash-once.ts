// SHA-256 of IMAGE alone, by the checksum engine's hashing pass (node:crypto, i.e. OpenSSL, in its
// worker), in its own process: the "SHA-256 alone" that a write with SHA-256 in its pass is held to.
// The benchmark bundles it with esbuild (the worker beside it) and runs it with plain node.
import { hashFile } from '../../../src-main/checksum/hash-pass.ts';

const startedMs = performance.now();
const result = await hashFile(process.argv[2]!, { algorithms: ['sha256'] });
process.stdout.write(`${JSON.stringify({ sha256Hex: result.digests.sha256, hashMs: performance.now() - startedMs })}\n`);
