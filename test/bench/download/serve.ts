// The benchmark's plain-HTTP server in its own process (so the client measured does not share its
// event loop): the fault server serving FILE as `bench.img` (with Content-Length, ETag, and 404 for
// the sums files a flash looks for next to the URL). Prints one JSON line { httpOrigin } and serves
// until stdin closes. Usage: npx tsx test/bench/download/serve.ts FILE
import { readFileSync } from 'node:fs';
import { startFaultServer } from '../../net/https-fault-server.ts';

const [filePath = 'bench.img'] = process.argv.slice(2);
const server = await startFaultServer({ files: { 'bench.img': readFileSync(filePath) } });
server.etagOf('bench.img'); // hashes once now, not during the first timed request
process.stdout.write(`${JSON.stringify({ httpOrigin: server.httpOrigin })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
