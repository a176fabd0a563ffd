// The floor any Node client pays (the benchmark's "node: receive only" row): one GET of URL with
// node:http(s), its body read as 'data' events and dropped: no hash, no write, no checks. What Isotope
// adds on top (SHA-256, the file's writes, the checks) is the rest of its row. Bundled and run with
// plain node like download-once.ts. Usage: node node-floor.js URL CA_PATH
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

const [url = '', caPath = ''] = process.argv.slice(2);
const get = url.startsWith('https:') ? httpsGet : httpGet;
const receivedBytes = await new Promise<number>((resolve, reject) => {
  get(url, { ca: readFileSync(caPath, 'utf8') }, (response) => {
    let bytes = 0;
    response.on('data', (chunk: Buffer) => void (bytes += chunk.length));
    response.on('end', () => resolve(bytes));
    response.on('error', reject);
  }).on('error', reject);
});
process.stdout.write(`${JSON.stringify({ receivedBytes })}\n`);
