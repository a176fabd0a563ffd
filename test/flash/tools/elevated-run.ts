// Runs flash jobs as the engine would, and prints their results as JSON. Started (as an unprivileged
// user) by test/flash/elevation.integration.test.ts inside a private mount namespace whose
// /usr/bin/pkexec is a fake (fake-polkit.py). Each job goes `elevated` (runElevated -> sudo-prompt ->
// pkexec -> the built `isotope flash-helper TOKEN`, however harmless the job) or through the
// `engine`'s own choice (runFlashWork: elevate only for block-device targets).
import { readFileSync } from 'node:fs';
import { runElevated, runFlashWork } from '../../../src-main/elevation/elevation.ts';
import type { FlashWork } from '../../../src-main/flash/flash-work.ts';

export interface ElevatedRunSpec {
  readonly workingDir: string;
  /** The built `isotope` entry the helper runs from. */
  readonly entryPath: string;
  readonly jobs: readonly { readonly via: 'elevated' | 'engine'; readonly work: FlashWork }[];
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ElevatedRunSpec;
process.chdir(spec.workingDir);
const elevation = { interpreterPath: process.execPath, entryPath: spec.entryPath };
const results = [];
for (const [index, job] of spec.jobs.entries()) {
  const controls = { jobId: `elevated-test-${index}`, signal: new AbortController().signal, onProgress: () => undefined };
  results.push(job.via === 'elevated' ? await runElevated(job.work, controls, elevation) : await runFlashWork(job.work, controls, elevation));
}
process.stdout.write(`${JSON.stringify({ results, cwdAfter: process.cwd() })}\n`);
