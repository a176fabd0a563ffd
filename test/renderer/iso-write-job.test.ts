// The Create screen's and "Edit a copy"'s state (create-job.svelte.ts, edit-copy.svelte.ts over
// iso-write-job.svelte.ts) against the real engine in this process: a plan, then the write of that
// very request, whose result names the bytes on disk; a plan answered after the form changed is not
// shown as the form's.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateImage } from '../../src-renderer/state/create-job.svelte.ts';
import { EditCopy } from '../../src-renderer/state/edit-copy.svelte.ts';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { inProcessEngine } from './in-process-engine.ts';

// Through the contract a new image reads its sources from the home folder and goes into it (or folders
// chosen in a native dialog): a temporary home stands in for the user's, which this test never touches
// (homedir() follows $HOME; vitest runs each file in its own process).
const home = mkdtempSync(join('/dev/shm', 'isotope-renderer-create-home-'));
process.env['HOME'] = home;
const scratch = join(home, 'sources');
const outputs = join(home, 'images');
mkdirSync(scratch);
mkdirSync(outputs);
afterAll(() => rmSync(home, { recursive: true, force: true }));

function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function newState() {
  const { client } = inProcessEngine();
  const jobs = new JobStore(client);
  return { create: new CreateImage(client, jobs), editCopy: new EditCopy(client, jobs) };
}

function writeTree(name: string): string {
  const tree = join(scratch, name);
  mkdirSync(join(tree, 'sub'), { recursive: true });
  writeFileSync(join(tree, 'hello.txt'), 'hello\n');
  writeFileSync(join(tree, 'sub/data.bin'), Buffer.alloc(10_000, 7));
  return tree;
}

describe('CreateImage', () => {
  it("writes the request it previewed: the plan's size is the file's, the result's SHA-256 the bytes on disk", async () => {
    const { create } = newState();
    create.addSource(writeTree('written'), outputs);
    create.label = 'STATE_TEST';
    await create.preview();
    expect(create.job.error).toBeNull();
    const planned = create.job.summary;
    expect(planned).toMatchObject({ fileCount: 2, label: 'STATE_TEST' });

    await create.start();
    expect(create.job.error).toBeNull();
    const result = create.job.result;
    expect(result?.outputPath).toBe(join(outputs, 'written.iso'));
    expect(result?.sizeBytes).toBe(statSync(join(outputs, 'written.iso')).size);
    expect(result?.sizeBytes).toBe(planned?.sizeBytes);
    expect(result?.sha256Hex).toBe(sha256Of(join(outputs, 'written.iso')));
    // The job ended: its last report stays in the store, the form no longer runs.
    expect(create.job.running).toBe(false);
    expect(create.job.progress?.kind).toBe('create');
  });

  it('does not show a plan the engine answered after the form changed, nor keep one shown when a field changes', async () => {
    const { create } = newState();
    create.addSource(writeTree('changed'), outputs);
    const answered = create.preview();
    create.change('label', 'CHANGED');
    await answered;
    expect(create.job.summary).toBeNull();
    expect(create.job.planning).toBe(false);
    await create.preview();
    expect(create.job.summary?.label).toBe('CHANGED');
    create.change('reproducible', true);
    expect(create.job.summary).toBeNull();
    expect(create.request.options.reproducible).toBe(true);
  });
});

describe('EditCopy', () => {
  it('saves a copy without the removed file, and leaves the original as it was', async () => {
    const original = bootFixturePath('hybridGpt');
    const originalDigest = sha256Of(original);
    const { editCopy } = newState();
    editCopy.begin(original, outputs);
    editCopy.remove(['/README.TXT']);
    await editCopy.saveAs(false);
    expect(editCopy.job.error).toBeNull();
    expect(editCopy.job.summary?.boot.entries.map((entry) => entry.platform)).toEqual(['bios', 'efi']);
    const outputPath = await editCopy.save();
    expect(outputPath).toBe(join(outputs, 'boot-hybrid-gpt-edited.iso'));
    expect(editCopy.job.result?.sha256Hex).toBe(sha256Of(join(outputs, 'boot-hybrid-gpt-edited.iso')));
    expect(sha256Of(original)).toBe(originalDigest);
  });
});
