// Parse worker bootstrap used only when the engine runs from its TypeScript sources (Vitest, tsx):
// Node 20 cannot run TypeScript, so register tsx's loader in this thread, then load the real worker.
// The bundled engine starts dist/main/parse-worker.js directly and never loads this file.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
