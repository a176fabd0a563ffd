// scripts/engine-build.js (issue 17, Settings › About): what `npm run build` embeds as the engine's
// build, read from a real git repository made here: its short commit hash and the commit's own date
// (so two builds of one commit embed the same), "local changes" once the tree holds more than the
// commit, and nothing at all outside git.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/fixture-cache.ts';

const script = join(repoRoot, 'scripts/engine-build.js');
const commitDate = '2026-11-30T08:15:00+01:00';

/** The build the script reads in `folder`, as `npm run build` would embed it. */
function engineBuildOf(folder: string): unknown {
  return JSON.parse(execFileSync(process.execPath, [script, folder], { encoding: 'utf8' }));
}

function git(folder: string, ...args: string[]): string {
  const env = { ...process.env, GIT_AUTHOR_DATE: commitDate, GIT_COMMITTER_DATE: commitDate, GIT_CONFIG_NOSYSTEM: '1', HOME: folder };
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.org', ...args], { cwd: folder, encoding: 'utf8', env }).trim();
}

describe('the engine build embedded by npm run build', () => {
  let repo = '';
  let outside = '';
  beforeAll(() => {
    repo = mkdtempSync('/dev/shm/isotope-engine-build-');
    outside = mkdtempSync('/dev/shm/isotope-not-git-');
    git(repo, 'init', '--quiet');
    writeFileSync(join(repo, 'main.ts'), 'export {};\n');
    git(repo, 'add', 'main.ts');
    git(repo, 'commit', '--quiet', '-m', 'first');
  });
  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("names the commit's short hash and the commit's date, not the clock's, with no local changes in a clean tree", () => {
    expect(engineBuildOf(repo)).toEqual({ commit: git(repo, 'rev-parse', '--short', 'HEAD'), commitDate, localChanges: false });
  });

  it('says so when the tree holds an edit or a new file the commit does not', () => {
    writeFileSync(join(repo, 'main.ts'), 'export const edited = true;\n');
    expect(engineBuildOf(repo)).toMatchObject({ localChanges: true });
    git(repo, 'checkout', '--quiet', '--', 'main.ts');
    expect(engineBuildOf(repo)).toMatchObject({ localChanges: false });
    writeFileSync(join(repo, 'new-module.ts'), 'export {};\n');
    expect(engineBuildOf(repo)).toMatchObject({ localChanges: true });
  });

  it('is null outside a git checkout (a source tarball): About then says unknown rather than guess', () => {
    expect(engineBuildOf(outside)).toBeNull();
  });
});
