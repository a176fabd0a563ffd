// The sidecar's line is what sha256sum itself writes, so the real `sha256sum -c` checks it, even for a
// file whose name holds a backslash or a line break (coreutils escapes those and marks the line).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256sumLine } from '../../src-main/backup/backup-drive.ts';

describe('the sidecar line', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotope-sidecar-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['stick.img.zst', 'two words.img', 'back\\slash.img', 'line\nbreak.img'])('equals sha256sum for %j, and sha256sum -c accepts it', (name) => {
    writeFileSync(join(dir, name), `bytes of ${name}`);
    const expected = execFileSync('sha256sum', ['--', name], { cwd: dir, encoding: 'utf8' });
    const hex = /^\\?([0-9a-f]{64})/.exec(expected)?.[1] ?? '';
    expect(sha256sumLine(hex, name)).toBe(expected);
    writeFileSync(join(dir, 'check.sha256'), sha256sumLine(hex, name));
    expect(spawnSync('sha256sum', ['-c', '--strict', 'check.sha256'], { cwd: dir }).status).toBe(0);
  });
});
