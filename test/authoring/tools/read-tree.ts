// Reads a source tree and prints the outcome as one JSON line: `{ code: 'ok' }` or the error's code and
// message. The permission tests run it as an unprivileged user (setpriv), since root reads everything.
import { readSourceTree } from '../../../src-main/authoring/source-tree.ts';

const sources = process.argv.slice(2);
const outcome = await readSourceTree(sources, { excludes: [] }).then(
  () => ({ code: 'ok', message: '' }),
  (error: { code?: string; message: string }) => ({ code: error.code ?? 'thrown', message: error.message }),
);
process.stdout.write(`${JSON.stringify(outcome)}\n`);
