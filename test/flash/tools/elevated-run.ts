// Runs flash jobs as the engine would, and prints their results as JSON. Started (as an unprivileged
// user) by test/flash/elevation.integration.test.ts inside a private mount namespace whose
// /usr/bin/pkexec is a fake (fake-polkit.py). Each job goes `elevated` (runElevated -> sudo-prompt ->
// pkexec -> the built `isotope flash-helper TOKEN`, however harmless the job) or through the
// `engine`'s own choice (runFlashWork: elevate only for block-device targets).
import { readFileSync } from 'node:fs';
import { chooseArrivingWrite, runElevated, runFlashWork } from '../../../src-main/elevation/elevation.ts';
import { flashFromDownload } from '../../../src-main/flash/flash-from-download.ts';
import type { TargetSelector } from '../../../src-main/flash/flash-image.ts';
import type { FlashWork } from '../../../src-main/flash/flash-work.ts';

export interface ElevatedRunSpec {
  readonly workingDir: string;
  /** The built `isotope` entry the helper runs from. */
  readonly entryPath: string;
  /** `arriving`: a write while downloading `url` (flashFromDownload), written where the engine chooses (chooseArrivingWrite). */
  readonly jobs: readonly (
    | { readonly via: 'elevated' | 'engine'; readonly work: FlashWork }
    | { readonly via: 'arriving'; readonly url: string; readonly targets: readonly TargetSelector[] }
  )[];
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ElevatedRunSpec;
process.chdir(spec.workingDir);
const elevation = { interpreterPath: process.execPath, entryPath: spec.entryPath };
const results = [];
for (const [index, job] of spec.jobs.entries()) {
  const controls = { jobId: `elevated-test-${index}`, signal: new AbortController().signal, onProgress: () => undefined };
  if (job.via === 'arriving') {
    const startWrite = await chooseArrivingWrite(job.targets, elevation);
    results.push(
      await flashFromDownload({ download: { url: job.url }, targets: job.targets, verify: true, includeAll: true, startWrite, jobId: controls.jobId }),
    );
  } else {
    results.push(job.via === 'elevated' ? await runElevated(job.work, controls, elevation) : await runFlashWork(job.work, controls, elevation));
  }
}
process.stdout.write(`${JSON.stringify({ results, cwdAfter: process.cwd() })}\n`);
