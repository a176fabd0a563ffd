// The folders of src-main/ stand in levels (folderLevels in eslint.config.js): a folder imports only
// folders of lower levels. A wrong import, and so any folder cycle, fails `npm test`.
import { readdirSync } from 'node:fs';
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

/** Every folder of src-main/ as it is on disk now. */
const mainFolders = readdirSync(`${repoRoot}/src-main`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('folder levels', () => {
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
    ['flash/ importing elevation/ (the old flash <-> elevation cycle)', 'flash', 'elevation'],
    ['isolation/ importing the service (the old isolation <-> service cycle)', 'isolation', 'service'],
    ['the error mapping importing the service', 'app-error', 'service'],
    ['the error mapping importing isolation/', 'app-error', 'isolation'],
    ['the service importing a shell', 'service', 'cli'],
    ['a shell importing another shell', 'web', 'electron'],
    ['the elevated helper importing the service', 'helper', 'service'],
  ])('fails lint for %s', async (_case, from, to) => {
    const messages = await importAcross(from, to);
    expect(messages.join('\n')).toMatch(new RegExp(`${from}/ stands at level \\d+ of folderLevels.*may never import a folder of its own level or above`));
  });

  it.each([
    ['the parsers importing the format base and io/', 'udf', ['format', 'io']],
    ['the format base importing io/', 'format', ['io']],
    ['the readers that run as jobs importing the job base', 'image', ['jobs']],
    ['conversion importing the job base', 'container', ['jobs']],
    ['boot importing the ISO and partition parsers', 'boot', ['iso', 'disk', 'format', 'io']],
    ['image/ importing every reader below it', 'image', ['iso', 'udf', 'container', 'disk', 'boot', 'format', 'io']],
    ['elevation/ importing flash/', 'elevation', ['flash']],
    ['isolation/ importing the error mapping and the readers', 'isolation', ['app-error', 'assess', 'image']],
    ['the service importing isolation/, elevation/ and the error mapping', 'service', ['isolation', 'elevation', 'app-error', 'flash']],
    ['the shells importing the service', 'cli', ['service', 'helper', 'app-error']],
  ])('allows %s', async (_case, from, targets) => {
    for (const to of targets) expect(await importAcross(from, to)).toEqual([]);
  });

  it('fails lint for at least one direction of every pair of src-main/ folders, so no folder cycle can form', async () => {
    expect(mainFolders.length).toBeGreaterThan(20);
    const open: string[] = [];
    for (const [index, first] of mainFolders.entries()) {
      for (const second of mainFolders.slice(index + 1)) {
        const forward = await importAcross(first, second);
        const backward = await importAcross(second, first);
        if (forward.length === 0 && backward.length === 0) open.push(`${first} <-> ${second}`);
      }
    }
    expect(open).toEqual([]);
  });

  it('keeps the engine rules in every folder (its zone replaces the rule for src-main/**)', async () => {
    expect(await restrictedImports('src-main/format/example.ts', "import { app } from 'electron';")).not.toEqual([]);
    expect(await restrictedImports('src-main/service/example.ts', "import { app } from 'electron';")).not.toEqual([]);
    expect(await restrictedImports('src-main/iso/example.ts', "import '../cli/cli.ts';")).not.toEqual([]);
    expect(await restrictedImports('src-main/udf/example.ts', "import '../../src-renderer/api.ts';")).not.toEqual([]);
    expect(await restrictedImports('src-main/web/example.ts', "import '../main.ts';")).not.toEqual([]);
    expect(await restrictedImports('src-main/electron/example.ts', "import { app } from 'electron';")).toEqual([]);
  });
});
