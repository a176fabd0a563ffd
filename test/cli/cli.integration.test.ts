// The built `isotope` command, run as a user runs it.
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { bigIsoPath } from '../fixtures/ui-images.ts';
import { assertBuilt, isotopeBin, runIsotope, startUntilLine, urlLinePattern } from '../helpers/built-cli.ts';
import { xorrisoVolumeId } from '../helpers/iso-tools.ts';

beforeAll(assertBuilt);

describe('isotope command', () => {
  it('is the package bin and explains itself with --help', () => {
    expect(packageJson.name).toBe('isotope');
    expect(packageJson.bin).toEqual({ isotope: 'bin/isotope.js' });
    const help = runIsotope(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: isotope');
    for (const command of ['web', 'info']) expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('prints its version', () => {
    expect(runIsotope(['--version']).stdout.trim()).toBe(packageJson.version);
  });

  it('prints one JSON document for info --json, agreeing with xorriso', () => {
    const path = helloIsoPath();
    const run = runIsotope(['info', path, '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: 'iso9660', volumeLabel: xorrisoVolumeId(path) });
  });

  it('exits 1 naming the file when the image does not exist', () => {
    const run = runIsotope(['info', '/nonexistent/image.iso']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('/nonexistent/image.iso');
  });

  it('stops quietly, exit 0, when the reader of its output goes away (isotope ls -R | head -1)', async () => {
    // 50,000 lines: far more than a pipe holds, so isotope is still writing when the reader leaves.
    const child = spawn(process.execPath, [isotopeBin, 'ls', '-R', bigIsoPath()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdout.destroy();
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('exits 2 on usage errors', () => {
    expect(runIsotope(['info']).status).toBe(2);
    expect(runIsotope(['no-such-command']).status).toBe(2);
    expect(runIsotope(['web', '--port', 'eighty']).status).toBe(2);
  });

  it('serves the web shell and prints exactly the URL line', async () => {
    const started = await startUntilLine(process.execPath, [isotopeBin, 'web', '--port', '0'], urlLinePattern);
    try {
      const url = urlLinePattern.exec(started.line)?.[1] ?? '';
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<div id="app">');
      expect(started.stdoutLines).toEqual([started.line]);
    } finally {
      started.stop();
    }
  });
});
