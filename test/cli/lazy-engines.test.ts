// The `isotope` command loads an engine only when a command uses it (cli.ts, service.ts): what
// main.js imports statically is parsed and held by every run, `isotope --version` and `isotope
// create` included (issue 15: peak RSS under 150 MiB with 50,000 files). This bundles the real entry
// with scripts/build.js's esbuild settings and reads esbuild's own record of each chunk's imports.
import { build, type Metafile } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { engineBundleOptions } from '../../scripts/engine-bundle.js';

/** The source files in the chunks main.js reaches through static imports, and the packages they import statically. */
function staticallyLoaded(metafile: Metafile): { sources: string[]; packages: string[] } {
  const outputs = metafile.outputs;
  const mainPath = Object.keys(outputs).find((path) => path.endsWith('/main.js'));
  if (mainPath === undefined) throw new Error('esbuild wrote no main.js');
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = [mainPath];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imported of outputs[path]?.imports ?? []) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) packages.add(imported.path);
      else pending.push(imported.path);
    }
  }
  const sources = [...seen].flatMap((path) => Object.keys(outputs[path]?.inputs ?? {}));
  return { sources, packages: [...packages].filter((name) => !name.startsWith('node:')) };
}

/** The real entry bundled with scripts/build.js's settings, in memory, with esbuild's record of each chunk. */
function bundleEngine(): Promise<{ metafile: Metafile }> {
  return build({
    entryPoints: { main: join(repoRoot, 'src-main/main.ts') },
    outdir: join(repoRoot, 'test/.cache/lazy-engines'),
    absWorkingDir: repoRoot,
    write: false,
    metafile: true,
    ...engineBundleOptions,
    logLevel: 'silent',
  });
}

describe('the isotope command bundle', () => {
  it('loads no engine at start: image readers, authoring, flashing, backup and the handlers load with the command or call that uses them', async () => {
    const result = await bundleEngine();
    const { sources, packages } = staticallyLoaded(result.metafile);
    expect(sources).toContain('src-main/cli/cli.ts');
    expect(sources).toContain('src-main/service/service.ts');
    const engineFolders =
      /^src-main\/(flash|image|authoring|iso|udf|fat|stick|wim|boot|assess|container|checksum|elevation|helper|backup|isolation|disk|service\/handlers)\//;
    expect(sources.filter((source) => engineFolders.test(source))).toEqual([]);
    // openpgp, hash-wasm, the compressors, the archive readers and sudo-prompt load with their engines.
    expect(packages.sort()).toEqual(['commander', 'valibot']);
  }, 60_000);

  it('loads pkijs only to check a signature: no chunk that the flash, the stick plan or the boot verdict load imports it', async () => {
    const result = await bundleEngine();
    const importingPkijs = Object.values(result.metafile.outputs).filter((output) =>
      output.imports.some((imported) => imported.external && imported.path === 'pkijs'),
    );
    expect(importingPkijs.length).toBeGreaterThan(0);
    // ~800 KB of CommonJS: a flash from a URL spent ~0.1 s of its main thread loading it for nothing.
    expect(importingPkijs.flatMap((output) => Object.keys(output.inputs))).toEqual(['src-main/boot/secure-boot-signers.ts']);
  }, 60_000);
});
