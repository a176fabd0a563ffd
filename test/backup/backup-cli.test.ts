// `isotope backup`'s refusals that need no drive: a --compression the file name contradicts is a usage
// error (a .img holding zstd would be flashed as raw bytes), and a path that is no whole drive is named.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isotope } from '../helpers/in-process-cli.ts';

describe('isotope backup (no drive needed)', () => {
  it('refuses a --compression the extension contradicts (exit 2), naming the extension to use', async () => {
    const output = join(tmpdir(), 'isotope-backup-cli-never.img');
    const run = await isotope(['backup', '/dev/null', '-o', output, '--compression', 'zstd']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('end the name in .zst');
    expect(existsSync(output)).toBe(false);
  });

  it('refuses a path that is not a whole drive (exit 1) and writes nothing', async () => {
    const output = join(tmpdir(), 'isotope-backup-cli-never.img');
    const run = await isotope(['backup', '/dev/null', '-o', output]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('/dev/null is not a whole drive');
    expect(existsSync(output)).toBe(false);
  });
});
