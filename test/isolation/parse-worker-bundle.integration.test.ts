// The parse worker from a bundle: scripts/build.js puts parse-worker.js beside the engine's chunks in
// dist/main/, and the pool must find and start it there (from the sources it starts through tsx).
// This bundles a small engine entry with the same esbuild settings into test/.cache/ (dist/ belongs
// to `npm run build`) and runs it with plain node, which cannot load TypeScript.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { writeWideIso } from './wide-image.ts';
import { engineBundleOptions } from '../../scripts/engine-bundle.js';

describe('parse worker bundle', () => {
  it('starts parse-worker.js beside the bundled engine and answers through it, with the heap cap in force', async () => {
    const outdir = join(repoRoot, 'test/.cache/isolation-bundle');
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    const entry = join(outdir, 'engine-entry.ts');
    writeFileSync(
      entry,
      `import { createParseWorkerPool } from '${join(repoRoot, 'src-main/isolation/parse-worker-pool.ts')}';
import { createService } from '${join(repoRoot, 'src-main/service/service.ts')}';
const [path, heapCapMb] = [process.argv[2], Number(process.argv[3])];
const pool = createParseWorkerPool({ heapCapMb });
const service = createService({ shell: 'web', version: '0', log: (message, error) => console.error(message, error), imageParser: pool });
const answers = [await service.invoke('image:open', { path }), await service.invoke('image:list', { path, directory: '/' })];
await pool.close();
process.stdout.write(JSON.stringify(answers));
`,
    );
    // Bundled as scripts/build.js bundles the engine: that decides where the worker lands and how it loads.
    await build({
      entryPoints: { engine: entry, 'parse-worker': join(repoRoot, 'src-main/isolation/parse-worker.ts') },
      outdir,
      ...engineBundleOptions,
      logLevel: 'warning',
    });
    const run = (path: string, heapCapMb: number) =>
      spawnSync(process.execPath, [join(outdir, 'engine.js'), path, String(heapCapMb)], { encoding: 'utf8', timeout: 60_000 });

    const answered = run(helloIsoPath(), 512);
    expect(answered.stderr).toBe('');
    const [opened, listed] = JSON.parse(answered.stdout) as [unknown, unknown];
    expect(opened).toMatchObject({ ok: true, value: { format: 'iso9660', fileName: 'hello.iso' } });
    expect(listed).toMatchObject({ ok: true, value: { entries: expect.arrayContaining([expect.objectContaining({ path: '/README.TXT' })]) } });

    // The cap is in force in the bundled worker: opening the wide image fits in 32 MiB, listing its root does not.
    const starved = run(writeWideIso(outdir), 32);
    expect(JSON.parse(starved.stdout)).toMatchObject([{ ok: true }, { ok: false, error: { code: 'too-complex', detail: { heapCapMb: 32 } } }]);
  }, 90_000); // an esbuild run and two node processes
});
