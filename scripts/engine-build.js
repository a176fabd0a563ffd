// Which build of the engine runs (Settings › About, issue 17): the checkout's commit, its short hash
// and the commit's own date (not the clock's, so building one commit twice gives the same bundle),
// and whether the tree held changes no commit has (tracked edits or new files not ignored), which the
// bundle then carries too. Outside git (a source tarball) or without git there is no build to name:
// null, and About says "unknown (not built from git)" rather than guess.
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** The build of the checkout at `folder`: { commit, commitDate (ISO 8601), localChanges }, or null outside git. */
export function readEngineBuild(folder) {
  const git = (...args) => execFileSync('git', args, { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const commitDate = git('show', '--no-patch', '--format=%cI', 'HEAD');
    const localChanges = git('status', '--porcelain') !== '';
    return { commit, commitDate, localChanges };
  } catch {
    return null;
  }
}

// `node scripts/engine-build.js FOLDER` prints the build as JSON (the tests read it so).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(readEngineBuild(process.argv[2] ?? '.'))}\n`);
}
