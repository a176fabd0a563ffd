// Runs one flash job through the elevation path (runElevated -> sudo-prompt -> pkexec -> the built
// `isotope flash-helper TOKEN`), from the working directory given, and prints the result as JSON.
// Started by test/flash/elevation.integration.test.ts inside a private mount namespace whose
// /usr/bin/pkexec is a fake that logs its arguments.
import { runElevated } from '../../../src-main/flash/elevation.ts';

const [imagePath, targetPath, workingDir, entryPath] = process.argv.slice(2) as [string, string, string, string];
process.chdir(workingDir);
const result = await runElevated(
  { kind: 'flash', imagePath, targets: [{ path: targetPath }], verify: true, includeAll: true, eject: false },
  { jobId: 'elevated-test', signal: new AbortController().signal, onProgress: () => undefined },
  { interpreterPath: process.execPath, entryPath },
);
process.stdout.write(`${JSON.stringify({ result, cwdAfter: process.cwd() })}\n`);
