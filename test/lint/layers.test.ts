// The layer rules of DESIGN.md are lint rules: a forbidden import must fail `npm test`.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';

const eslint = new ESLint({ cwd: repoRoot });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('layer rules', () => {
  it.each([
    ['shared/ importing Node', 'shared/example.ts', "import { readFile } from 'node:fs';"],
    ['shared/ importing the engine', 'shared/example.ts', "import { createService } from '../src-main/service/service.ts';"],
    ['shared/ importing a package', 'shared/example.ts', "import * as v from 'valibot';"],
    ['an engine importing Electron', 'src-main/iso/example.ts', "import { app } from 'electron';"],
    ['an engine importing Electron sub-modules', 'src-main/image/example.ts', "import { app } from 'electron/main';"],
    ['an engine importing the service', 'src-main/iso/example.ts', "import { createService } from '../service/service.ts';"],
    ['an engine importing a shell', 'src-main/io/example.ts', "import { startWebShell } from '../web/web-shell.ts';"],
    ['an engine importing the composition root', 'src-main/io/example.ts', "import '../main.ts';"],
    ['the service importing a shell', 'src-main/service/example.ts', "import { runCli } from '../cli/cli.ts';"],
    ['the web shell importing Electron', 'src-main/web/example.ts', "import { BrowserWindow } from 'electron';"],
    ['the CLI importing Electron', 'src-main/cli/example.ts', "import { app } from 'electron';"],
    ['the renderer importing Node', 'src-renderer/example.ts', "import { readFileSync } from 'node:fs';"],
    ['the renderer importing a bare Node module', 'src-renderer/example.ts', "import { join } from 'path';"],
    ['the renderer importing the engine', 'src-renderer/example.ts', "import { summarizeImage } from '../src-main/image/summarize-image.ts';"],
    ['the renderer importing Electron', 'src-renderer/example.ts', "import { ipcRenderer } from 'electron';"],
  ])('fails lint for %s', async (_case, filePath, code) => {
    expect(await restrictedImports(filePath, `${code}\nexport {};\n`)).not.toEqual([]);
  });

  it.each([
    ['shared/ importing shared/', 'shared/example.ts', "import type { Result } from './result.ts';"],
    [
      'an engine importing shared/ and its peers',
      'src-main/iso/example.ts',
      "import type { ImageSummary } from '../../shared/image.ts';\nimport type { ByteSource } from '../io/byte-source.ts';",
    ],
    ['the service importing engines', 'src-main/service/example.ts', "import { summarizeImage } from '../image/summarize-image.ts';"],
    ['the Electron shell importing Electron', 'src-main/electron/example.ts', "import { app } from 'electron';"],
    [
      'the renderer importing shared/ and Svelte',
      'src-renderer/example.ts',
      "import type { Calls } from '../shared/contract.ts';\nimport { mount } from 'svelte';",
    ],
  ])('allows %s', async (_case, filePath, code) => {
    expect(await restrictedImports(filePath, `${code}\nexport {};\n`)).toEqual([]);
  });
});
