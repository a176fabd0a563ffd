// The readers stand in levels (readerLevels in eslint.config.js): a reader folder imports only reader
// folders below its level. A wrong import, and so any folder cycle through the readers, fails `npm test`.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';

const eslint = new ESLint({ cwd: repoRoot });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: `${repoRoot}/${filePath}` });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

/** An import of a module in `to` written in a file of `from` (both folders of src-main/). */
function importAcross(from: string, to: string): Promise<string[]> {
  return restrictedImports(`src-main/${from}/example.ts`, `import '../${to}/example.ts';`);
}

const readerFolders = ['jobs', 'io', 'format', 'iso', 'udf', 'disk', 'container', 'boot', 'image'];

describe('reader levels', () => {
  it.each([
    ['the ISO parser importing image/', 'iso', 'image'],
    ['the UDF parser importing image/', 'udf', 'image'],
    ['the container parser importing image/', 'container', 'image'],
    ['the partition maps importing image/', 'disk', 'image'],
    ['boot importing image/', 'boot', 'image'],
    ['io/ importing the format base', 'io', 'format'],
    ['the format base importing a parser', 'format', 'iso'],
    ['the ISO tree importing the UDF tree (one level)', 'iso', 'udf'],
    ['the UDF tree importing the ISO tree (one level)', 'udf', 'iso'],
    ['a parser importing isolation/', 'iso', 'isolation'],
    ['a parser importing assess/', 'udf', 'assess'],
    ['a parser importing the service', 'container', 'service'],
    ['a parser importing a writer (flash/)', 'disk', 'flash'],
    ['image/ importing assess/', 'image', 'assess'],
    ['image/ importing isolation/', 'image', 'isolation'],
    ['the job base importing a reader', 'jobs', 'io'],
  ])('fails lint for %s', async (_case, from, to) => {
    const messages = await importAcross(from, to);
    expect(messages).not.toEqual([]);
    expect(messages.join('\n')).toMatch(/is a reader|never import/);
  });

  it.each([
    ['the parsers importing the format base and io/', 'udf', ['format', 'io']],
    ['the format base importing io/', 'format', ['io']],
    ['the readers that run as jobs importing the job base', 'image', ['jobs']],
    ['conversion importing the job base', 'container', ['jobs']],
    ['boot importing the ISO and partition parsers', 'boot', ['iso', 'disk', 'format', 'io']],
    ['image/ importing every reader below it', 'image', ['iso', 'udf', 'container', 'disk', 'boot', 'format', 'io']],
  ])('allows %s', async (_case, from, targets) => {
    for (const to of targets) expect(await importAcross(from, to)).toEqual([]);
  });

  it('fails lint for at least one direction of every pair of reader folders, so no folder cycle can form', async () => {
    const open: string[] = [];
    for (const [index, first] of readerFolders.entries()) {
      for (const second of readerFolders.slice(index + 1)) {
        const forward = await importAcross(first, second);
        const backward = await importAcross(second, first);
        if (forward.length === 0 && backward.length === 0) open.push(`${first} <-> ${second}`);
      }
    }
    expect(open).toEqual([]);
  });

  it('keeps the engine rules in a reader folder (its zone replaces the engine rule)', async () => {
    expect(await restrictedImports('src-main/format/example.ts', "import { app } from 'electron';")).not.toEqual([]);
    expect(await restrictedImports('src-main/iso/example.ts', "import '../cli/cli.ts';")).not.toEqual([]);
    expect(await restrictedImports('src-main/udf/example.ts', "import '../../src-renderer/api.ts';")).not.toEqual([]);
  });
});
