// Extraction conflicts past the engine's list (issue 17, review 14): with more existing files than
// `image:extract-conflicts` lists (extractConflictsMax), one answer covers them all, those past the
// list too. Integration: it extracts the 50,000-file fixture, which takes well over 10 s here.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { extractConflictsMax } from '../../shared/image.ts';
import { Extraction } from '../../src-renderer/state/extraction.svelte.ts';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { bigFileName, bigIsoPath } from '../fixtures/ui-images.ts';
import { inProcessEngine } from './in-process-engine.ts';

// The web shell extracts only into the home folder, never into a hidden folder there.
let destination: string;
beforeEach(() => {
  destination = mkdtempSync(join(homedir(), 'isotope-truncated-conflicts-'));
});
afterEach(() => rmSync(destination, { recursive: true, force: true }));

it('offers one answer for all when more files are there than the engine lists, and it covers those past the list', async () => {
  mkdirSync(join(destination, 'big'));
  for (let index = 0; index <= extractConflictsMax; index += 1) writeFileSync(join(destination, 'big', bigFileName(index)), 'mine');
  const { client } = inProcessEngine();
  const extraction = new Extraction(client, new JobStore(client), null);
  extraction.destination = destination;
  await extraction.start(bigIsoPath(), ['/big'], 'auto');
  expect(extraction.error).toBeNull();
  expect(extraction.conflictsTruncated).toBe(true);
  expect(extraction.conflicts).toHaveLength(extractConflictsMax);
  // Answered without "the same for all" ticked: the dialog offers no other answer, and the state holds to it.
  await extraction.answerConflict('skip', false);
  expect(extraction.conflict).toBeNull();
  expect(extraction.error).toBeNull();
  expect(extraction.result?.skipped).toHaveLength(extractConflictsMax + 1);
  expect(readFileSync(join(destination, 'big', bigFileName(extractConflictsMax)), 'utf8')).toBe('mine');
}, 300_000);
