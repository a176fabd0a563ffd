// toAppError on the file system's own failures: the code the contract names, the path in the detail,
// and a message in words that names the path (not Node's "ENOENT: no such file or directory, open …").
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toAppError } from '../../src-main/app-error/to-app-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-app-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failureOf(action: () => Promise<unknown>): Promise<unknown> {
  return action().then(
    () => expect.unreachable('the call succeeded'),
    (error: unknown) => error,
  );
}

function mapped(error: unknown) {
  const logged: unknown[] = [];
  const appError = toAppError(error, (_message, cause) => logged.push(cause));
  expect(logged).toEqual([]); // a file system failure is no bug to log
  return appError;
}

describe('toAppError on file system failures', () => {
  it('says a missing file does not exist, naming it, as not-found', async () => {
    const path = join(dir, 'missing.iso');
    for (const action of [() => open(path, 'r'), () => stat(path)]) {
      expect(mapped(await failureOf(action))).toEqual({ code: 'not-found', message: `${path} does not exist`, detail: { path } });
    }
  });

  it('says a path through a file does not exist, and why', async () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    const path = join(file, 'inside.iso');
    const error = mapped(await failureOf(() => stat(path)));
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(`${path} does not exist: a part of the path before it is a file, not a folder`);
  });

  it('says a folder opened as a file is a folder', async () => {
    expect(mapped(await failureOf(() => open(dir, 'w')))).toEqual({ code: 'not-a-file', message: `${dir} is a folder, not a file`, detail: { path: dir } });
  });

  it("keeps Node's words for a failure that names no path", () => {
    const error = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    expect(mapped(error)).toEqual({ code: 'not-found', message: 'ENOENT: no such file or directory', detail: {} });
  });
});

describe('toAppError on a refused file', () => {
  it('says permission was denied, naming the path and what was refused', async () => {
    const path = join(dir, 'closed.iso');
    writeFileSync(path, 'x', { mode: 0o000 });
    // As root (CI) nothing refuses opening a file of mode 000, so there the failure is made as Node makes it.
    const refused =
      process.getuid?.() === 0
        ? Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES', errno: -13, syscall: 'open', path })
        : await failureOf(() => open(path, 'r'));
    expect(mapped(refused)).toEqual({ code: 'permission-denied', message: `${path}: permission denied opening it`, detail: { path } });
  });
});
