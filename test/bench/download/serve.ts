// The benchmark's server in its own process (so the client measured does not share its event loop):
// the fault server serving SIZE_MIB of incompressible bytes as `bench.img`. Prints one JSON line
// { origin, httpOrigin, caPath, sha256 } and serves until stdin closes.
// Usage: npx tsx test/bench/download/serve.ts SIZE_MIB CA_PATH
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { startFaultServer } from '../../net/https-fault-server.ts';

const [sizeMib = '256', caPath = 'ca.pem'] = process.argv.slice(2);
const sizeBytes = Number(sizeMib) * 1024 * 1024;
// 64 MiB from the kernel's generator, repeated: incompressible, and cheap to make.
const block = execFileSync('head', ['-c', String(64 * 1024 * 1024), '/dev/urandom'], { maxBuffer: 65 * 1024 * 1024 });
const bytes = Buffer.allocUnsafe(sizeBytes);
for (let offset = 0; offset < sizeBytes; offset += block.length) block.copy(bytes, offset, 0, Math.min(block.length, sizeBytes - offset));
const server = await startFaultServer({ files: { 'bench.img': bytes } });
writeFileSync(caPath, server.caPem);
const sha256 = createHash('sha256').update(bytes).digest('hex');
server.etagOf('bench.img'); // hashes once now, not during the first timed request
process.stdout.write(`${JSON.stringify({ origin: server.origin, httpOrigin: server.httpOrigin, caPath, sha256 })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
