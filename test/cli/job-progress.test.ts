// The CLI's one progress display (src-main/cli/commands/job-progress.ts), as flash, verify, hash,
// check and convert use it: a redrawn terminal line, JSON lines, or nothing.
import { describe, expect, it } from 'vitest';
import { describeReading, ProgressDisplay, type ProgressOutput } from '../../src-main/cli/commands/job-progress.ts';
import type { CliContext } from '../../src-main/cli/cli-context.ts';

const mebibyte = 1024 * 1024;

function capture(output: ProgressOutput) {
  const written = { stdout: '', stderr: '' };
  const context: CliContext = {
    version: 'test',
    createService: () => {
      throw new Error('unused');
    },
    startWeb: () => Promise.reject(new Error('unused')),
    stdout: (text) => void (written.stdout += text),
    stderr: (text) => void (written.stderr += text),
    setExitCode: () => undefined,
  };
  return { written, display: new ProgressDisplay(context, output) };
}

const reading = { label: '/dev/sdz: writing', bytesDone: 3 * mebibyte, bytesTotal: 12 * mebibyte, bytesPerSecond: mebibyte, etaMs: 9000 };

describe('the CLI progress display', () => {
  it('words a reading with its percent, bytes, rate, time left and a bar', () => {
    expect(describeReading(reading)).toBe('/dev/sdz: writing 25% (3 MiB of 12 MiB, 1 MiB/s, 9 s left) [#####...............]');
    expect(describeReading({ ...reading, failed: true })).toMatch(/ FAILED$/);
  });

  it('redraws one terminal line per report, joins targets with |, and erases it at the end (or keeps it)', () => {
    const { written, display } = capture({ json: false, tty: true });
    display.show('job:progress', {}, [reading, { ...reading, label: '/dev/sdy: verifying' }]);
    display.show('job:progress', {}, [reading]);
    expect(written.stderr.split('\r').filter(Boolean)).toHaveLength(2);
    expect(written.stderr).toContain(' | /dev/sdy: verifying 25%');
    display.end();
    expect(written.stderr.endsWith('\r\x1b[K')).toBe(true);
    const kept = capture({ json: false, tty: true });
    kept.display.show('job:progress', {}, [reading]);
    kept.display.end({ keep: true });
    expect(kept.written.stderr.endsWith('\n')).toBe(true);
    expect(written.stdout + kept.written.stdout).toBe('');
  });

  it('prints one JSON line per report with --json, and nothing on a pipe without it', () => {
    const json = capture({ json: true, tty: true });
    json.display.show('job:progress', { jobId: 'j', targets: [] }, [reading]);
    json.display.end({ keep: true });
    expect(json.written.stdout).toBe('{"event":"job:progress","jobId":"j","targets":[]}\n');
    expect(json.written.stderr).toBe('');
    const pipe = capture({ json: false, tty: false });
    pipe.display.show('job:progress', {}, [reading]);
    pipe.display.end();
    expect(pipe.written).toEqual({ stdout: '', stderr: '' });
  });
});
