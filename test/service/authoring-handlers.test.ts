// The `iso:*` calls over the real service and real files: the output's destination rules for callers
// other than the CLI, the plan, the create and remaster jobs (phases, a source changed mid-write, a
// cancel: no output either way), and the shells' dialogs as the only way a folder becomes allowed.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IsoCreateRequest } from '../../shared/authoring.ts';
import type { JobPhase } from '../../shared/job.ts';
import { createService, type ServiceOptions } from '../../src-main/service/service.ts';
import { runJob } from '../helpers/run-job.ts';
import { isotope } from '../helpers/in-process-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-authoring-service-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const service = (options: Partial<ServiceOptions> = {}) => createService({ shell: 'cli', version: '0.0.0-test', log: () => undefined, ...options });

let treeCount = 0;
/** A tree with a 40 MiB file (several 8 MiB chunks, so the write is still reading it after the first progress report). */
function makeTree(): { tree: string; bigFile: string } {
  treeCount += 1;
  const tree = join(scratch, `tree-${treeCount}`);
  mkdirSync(join(tree, 'data'), { recursive: true });
  writeFileSync(join(tree, 'hello.txt'), 'hello\n');
  const bigFile = join(tree, 'data/big.bin');
  writeFileSync(bigFile, Buffer.alloc(40 * 1024 * 1024, 1));
  return { tree, bigFile };
}

function createRequest(tree: string, outputPath: string): IsoCreateRequest {
  return { sources: [tree], outputPath, options: { label: 'SERVICE' } };
}

describe('iso:plan-create and iso:create', () => {
  it('plans an image from the tree without writing, then writes it as a job: scanning, then writing-image', async () => {
    const { tree } = makeTree();
    const outputPath = join(scratch, 'made.iso');
    const engine = service();
    const plan = await engine.call('iso:plan-create', createRequest(tree, outputPath));
    expect(plan.ok && plan.value).toMatchObject({ fileCount: 2, label: 'SERVICE', level: 3, namespaces: { rockRidge: true, joliet: true, udf: false } });
    expect(existsSync(outputPath)).toBe(false);
    const phases: JobPhase[] = [];
    const result = await runJob(engine, 'create', 'iso:create', createRequest(tree, outputPath), { progressed: (progress) => phases.push(progress.phase) });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.sizeBytes).toBe(plan.ok ? plan.value.sizeBytes : -1);
    expect(readFileSync(outputPath).byteLength).toBe(result.value.sizeBytes);
    expect(phases[0]).toBe('scanning');
    expect(phases.at(-1)).toBe('writing-image');
  });

  it('ends the job with source-changed, naming the file, when a file grows while the image is written, and leaves no output', async () => {
    const { tree, bigFile } = makeTree();
    const outputPath = join(scratch, 'changed.iso');
    let grown = false;
    const result = await runJob(service(), 'create', 'iso:create', createRequest(tree, outputPath), {
      progressed: (progress) => {
        if (progress.phase !== 'writing-image' || grown) return;
        grown = true;
        appendFileSync(bigFile, 'more bytes');
      },
    });
    expect(grown).toBe(true);
    expect(result.ok || result.error.code).toBe('source-changed');
    expect(result.ok || result.error.message).toContain(bigFile);
    expect(existsSync(outputPath)).toBe(false);
    expect(existsSync(`${outputPath}.partial`)).toBe(false);
  });

  it('ends cancelled when job:cancel names the job mid-write, and leaves no output', async () => {
    const { tree } = makeTree();
    const outputPath = join(scratch, 'cancelled.iso');
    const engine = service();
    let cancelled = false;
    const result = await runJob(engine, 'create', 'iso:create', createRequest(tree, outputPath), {
      progressed: (progress) => {
        if (progress.phase !== 'writing-image' || cancelled) return;
        cancelled = true;
        void engine.call('job:cancel', { jobId: progress.jobId });
      },
    });
    expect(result.ok || result.error.code).toBe('cancelled');
    expect(existsSync(outputPath)).toBe(false);
    expect(existsSync(`${outputPath}.partial`)).toBe(false);
  });

  it('refuses, for a caller other than the CLI, an output outside the home folder and the folders chosen in the dialog', async () => {
    const { tree } = makeTree();
    const outputPath = join(scratch, 'web.iso');
    const web = service({ shell: 'web' });
    const refused = await web.call('iso:create', createRequest(tree, outputPath));
    expect(refused.ok || refused.error.code).toBe('destination-not-allowed');
    expect(existsSync(outputPath)).toBe(false);
    const dialogs = await web.call('iso:pick-output', { suggestedName: 'new.iso' });
    expect(dialogs.ok || dialogs.error.code).toBe('unsupported');
    const sources = await web.call('iso:pick-sources', { kind: 'folder' });
    expect(sources.ok || sources.error.code).toBe('unsupported');
  });

  it('refuses at plan time the outputs the create refuses: outside the allowed folders (not the CLI), inside a source, existing without overwrite', async () => {
    const { tree } = makeTree();
    const outside = await service({ shell: 'web' }).call('iso:plan-create', createRequest(tree, join(scratch, 'planned-web.iso')));
    expect(outside.ok || outside.error.code).toBe('destination-not-allowed');
    const inside = await service().call('iso:plan-create', createRequest(tree, join(tree, 'data/self.iso')));
    expect(inside.ok || inside.error.code).toBe('output-on-source');
    expect(inside.ok || inside.error.message).toContain(tree);
    const existing = join(scratch, 'planned-existing.iso');
    writeFileSync(existing, 'already here\n');
    const refused = await service().call('iso:plan-create', createRequest(tree, existing));
    expect(refused.ok || refused.error.code).toBe('file-exists');
    const replacing = await service().call('iso:plan-create', { ...createRequest(tree, existing), overwrite: true });
    expect(replacing.ok).toBe(true);
    expect(readFileSync(existing, 'utf8')).toBe('already here\n');
  });

  it('allows the folder of an output chosen in the shell’s own save dialog, and answers the sources its open dialog chose', async () => {
    const { tree } = makeTree();
    const chosenFolder = join(scratch, 'chosen');
    mkdirSync(chosenFolder);
    const outputPath = join(chosenFolder, 'picked.iso');
    const desktop = service({ shell: 'electron', pickIsoOutput: async () => outputPath, pickIsoSources: async (kind) => (kind === 'folder' ? [tree] : []) });
    expect(await desktop.call('iso:pick-sources', { kind: 'folder' })).toEqual({ ok: true, value: { paths: [tree] } });
    expect(await desktop.call('iso:pick-output', { suggestedName: 'picked.iso' })).toEqual({ ok: true, value: { path: outputPath } });
    const result = await runJob(desktop, 'create', 'iso:create', createRequest(tree, outputPath));
    expect(result.ok).toBe(true);
    expect(existsSync(outputPath)).toBe(true);
  });
});

describe('iso:remaster', () => {
  it('writes a copy with a file added that isotope ls lists, leaving the original as it was', async () => {
    const { tree } = makeTree();
    const original = join(scratch, 'original.iso');
    expect((await isotope(['create', tree, '-o', original])).code).toBe(0);
    const originalBytes = readFileSync(original);
    const added = join(scratch, 'preseed.cfg');
    writeFileSync(added, 'd-i debian-installer/locale string en_US\n');
    const outputPath = join(scratch, 'remastered.iso');
    const result = await runJob(service(), 'remaster', 'iso:remaster', {
      imagePath: original,
      outputPath,
      edits: [{ kind: 'add', sourcePath: added, imagePath: '/preseed.cfg' }],
    });
    expect(result.ok).toBe(true);
    expect(readFileSync(original).equals(originalBytes)).toBe(true);
    const listed = await isotope(['ls', outputPath, '/']);
    expect(listed.stdout).toContain('preseed.cfg');
    expect(listed.stdout).toContain('hello.txt');
  });

  it('refuses at plan time a copy that would replace its original', async () => {
    const { tree } = makeTree();
    const original = join(scratch, 'planned-self.iso');
    expect((await isotope(['create', tree, '-o', original])).code).toBe(0);
    const refused = await service().call('iso:plan-remaster', { imagePath: original, outputPath: original, edits: [], overwrite: true });
    expect(refused.ok || refused.error.code).toBe('output-on-source');
  });

  it('refuses to write the copy over its original', async () => {
    const { tree } = makeTree();
    const original = join(scratch, 'self.iso');
    expect((await isotope(['create', tree, '-o', original])).code).toBe(0);
    const refused = await service().call('iso:remaster', { imagePath: original, outputPath: original, edits: [], overwrite: true });
    expect(refused.ok || refused.error.code).toBe('output-on-source');
  });
});
