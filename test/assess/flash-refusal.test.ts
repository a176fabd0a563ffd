// `isotope flash` and the pre-flight assessment, run in-process over the real service with regular
// file targets: a hybrid ISO cut short is refused (exit 1, the reason named, nothing written) unless
// --force, and the summary of a forced write says what verification proved.
import { copyFileSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImageAssessment } from '../../shared/assessment.ts';
import type { FlashResult } from '../../shared/flash.ts';
import { formatBytesOfTotal } from '../../shared/units.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { isotope } from '../helpers/in-process-cli.ts';

describe('isotope flash refuses a blocked image unless --force', () => {
  let folder = '';
  let cut = '';
  let wholeBytes = 0;
  let cutBytes = 0;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'isotope-flash-refusal-'));
    vi.stubEnv('ISOTOPE_HOME', join(folder, 'home')); // the flash's hash cache: a temporary one
    const whole = bootFixturePath('hybridGpt');
    wholeBytes = statSync(whole).size;
    cutBytes = Math.floor(wholeBytes * 0.45);
    cut = join(folder, 'half-download.iso');
    copyFileSync(whole, cut);
    truncateSync(cut, cutBytes);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  const emptyTarget = (name: string): string => {
    const target = join(folder, name);
    writeFileSync(target, '');
    return target;
  };

  it('refuses a hybrid ISO cut to 45% with exit 1, naming how much of it is there, and writes nothing', async () => {
    const target = emptyTarget('refused.img');
    const run = await isotope(['flash', cut, target, '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`BLOCKS THE WRITE: the image file is incomplete (${formatBytesOfTotal(cutBytes, wholeBytes)})`);
    expect(run.stderr).toContain(`isotope: not writing ${cut}: the image file is incomplete`);
    expect(run.stderr).toContain('pass --force to write it anyway');
    expect(statSync(target).size).toBe(0);
  });

  it('writes it with --force, and the summary says the drive matches an image file that is itself incomplete', async () => {
    const target = emptyTarget('forced.img');
    const run = await isotope(['flash', cut, target, '--yes', '--force']);
    expect(run.code).toBe(0);
    expect(readFileSync(target).equals(readFileSync(cut))).toBe(true);
    expect(run.stdout).toContain(
      `${target}: verified (${cutBytes} bytes written): the drive matches the image file, which is itself incomplete (${formatBytesOfTotal(cutBytes, wholeBytes)})`,
    );
  });

  it('--json prints the assessment first and the acknowledged finding in the result', async () => {
    const target = emptyTarget('forced-json.img');
    const run = await isotope(['flash', cut, target, '--yes', '--force', '--json']);
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const assessed = lines[0] as unknown as ImageAssessment & { event: string };
    expect(assessed).toMatchObject({ event: 'image:assessed', blocking: true, kind: 'hybrid-iso' });
    const finished = lines.at(-1) as unknown as FlashResult & { event: string };
    expect(finished).toMatchObject({
      event: 'job:finished',
      kind: 'flash',
      outcome: 'succeeded',
      acknowledgedFindings: [{ code: 'truncated', presentBytes: cutBytes, expectedBytes: wholeBytes }],
    });
  });

  it('writes a complete image without --force, printing its assessment', async () => {
    const target = emptyTarget('whole.img');
    const run = await isotope(['flash', bootFixturePath('hybridGpt'), target, '--yes']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Image: boot-hybrid-gpt.iso');
    expect(run.stderr).not.toContain('BLOCKS THE WRITE');
    expect(run.stdout).not.toContain('the drive matches the image file, which');
  });
});
