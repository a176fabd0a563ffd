// distinctIssues: the Write and Drives screens show one line per issue code, though the engine's
// rules may give two reasons for the same code (a mounted drive: one per mounted partition).
import { describe, expect, it } from 'vitest';
import type { DriveIssue } from '../../shared/drive.ts';
import { distinctIssues } from '../../src-renderer/state/drive-list.svelte.ts';

describe('distinctIssues', () => {
  it('keeps the first issue of each code, in the order the engine gave them', () => {
    const issues: DriveIssue[] = [
      { code: 'mounted', severity: 'refusal', reason: '/dev/sdb1 is mounted at /media/a' },
      { code: 'too-small', severity: 'refusal', reason: 'image is 4294967296 bytes, drive 2147483648' },
      { code: 'mounted', severity: 'refusal', reason: '/dev/sdb2 is mounted at /media/b' },
    ];
    expect(distinctIssues(issues)).toEqual([issues[0], issues[1]]);
  });

  it('returns no lines for no issues', () => {
    expect(distinctIssues([])).toEqual([]);
  });
});
