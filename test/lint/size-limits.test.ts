// No engine or contract function over 80 lines (blank lines and comments aside) and no such file over
// 400 (eslint.config.js): a longer one fails `npm test` until it is split into named steps.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';

const eslint = new ESLint({ cwd: repoRoot });

async function sizeProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'max-lines-per-function' || message.ruleId === 'max-lines')
    .map((message) => message.message);
}

/** A function of `lineCount` lines of code: its opening line, `lineCount - 2` statements, its closing brace; `between` follows each statement. */
function functionOfLines(lineCount: number, between = ''): string {
  const statements = Array.from({ length: lineCount - 4 }, (_, index) => `  total += ${index};${between}`);
  return ['export function tally(): number {', '  let total = 0;', ...statements, '  return total;', '}', ''].join('\n');
}

describe('size limits', () => {
  it.each([
    ['an engine function', 'src-main/iso/example.ts'],
    ['a service function', 'src-main/service/example.ts'],
    ['a contract function', 'shared/example.ts'],
  ])('fails lint for %s of 81 lines', async (_case, filePath) => {
    const problems = await sizeProblems(filePath, functionOfLines(81));
    expect(problems.join('\n')).toMatch(/Function 'tally' has too many lines \(81\)\. Maximum allowed is 80/);
  });

  it('allows a function of 80 lines', async () => {
    expect(await sizeProblems('src-main/iso/example.ts', functionOfLines(80))).toEqual([]);
  });

  it('does not count blank lines and comments against a function', async () => {
    const code = functionOfLines(80, '\n\n  // why this step');
    expect(code.split('\n').length).toBeGreaterThan(200);
    expect(await sizeProblems('src-main/iso/example.ts', code)).toEqual([]);
  });

  it('fails lint for an engine file of 401 lines and allows one of 400', async () => {
    const fileOf = (lineCount: number): string => Array.from({ length: lineCount }, (_, index) => `export const line${index} = ${index};`).join('\n') + '\n';
    expect((await sizeProblems('src-main/io/example.ts', fileOf(401))).join('\n')).toMatch(/File has too many lines \(401\)\. Maximum allowed is 400/);
    expect(await sizeProblems('src-main/io/example.ts', fileOf(400))).toEqual([]);
  });

  it('does not count blank lines and comments against a file', async () => {
    const code = Array.from({ length: 400 }, (_, index) => `// why line ${index} is here\nexport const line${index} = ${index};\n`).join('\n');
    expect(code.split('\n').length).toBeGreaterThan(1000);
    expect(await sizeProblems('src-main/io/example.ts', code)).toEqual([]);
  });
});
