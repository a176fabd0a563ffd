// The write screen's state (drive-list.svelte.ts, flash-job.svelte.ts over engine-ports.ts) against
// the real engine and a real loop device: the drive list with its verdicts and selection, then one
// job from the engine's plan through its start to the finished result, with progress on the way.
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DriveList } from '../../src-renderer/state/drive-list.svelte.ts';
import { createDrivesPort, createFlashPort } from '../../src-renderer/state/engine-ports.ts';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { FlashJob } from '../../src-renderer/state/flash-job.svelte.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { LoopDevices, isRoot, rootSkipReason } from '../flash/loop-devices.ts';
import { inProcessEngine } from './in-process-engine.ts';

const MiB = 1024 * 1024;
const loops = new LoopDevices();
const scratch = mkdtempSync(join('/dev/shm', 'isotope-renderer-write-'));
/** An 8 MiB file of zeros in /dev/shm, to back a loop device. */
function blankFile(name: string): string {
  const path = join(scratch, name);
  writeFileSync(path, '');
  truncateSync(path, 8 * MiB);
  return path;
}
afterAll(() => {
  loops.detachAll();
  rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(!isRoot)(`the write screen's state (${rootSkipReason})`, () => {
  it('lists a loop device only with "show all drives", as virtual, and drops a selection that went away', async () => {
    const backing = blankFile('list.img');
    const device = loops.attach(backing);
    const drives = new DriveList(createDrivesPort(inProcessEngine().client));

    await drives.load(helloIsoPath(), false);
    expect(drives.loaded).toBe(true);
    expect(drives.error).toBeNull();
    expect(drives.statuses.some((status) => status.drive.device === device)).toBe(false);

    await drives.load(helloIsoPath(), true);
    const shown = drives.statuses.find((status) => status.drive.device === device);
    expect(shown).toMatchObject({ eligible: true, drive: { isVirtual: true } });
    expect(shown?.warnings.map((issue) => issue.code)).toContain('virtual-drive');
    // The system drive is never shown, even with every drive listed.
    expect(drives.visible.some((status) => status.refusals.some((issue) => issue.code === 'system-drive'))).toBe(false);

    drives.toggle(shown!.drive.id);
    expect(drives.selectedStatuses.map((status) => status.drive.device)).toEqual([device]);
    loops.detachAll();
    await drives.refresh();
    expect(drives.statuses.some((status) => status.drive.device === device)).toBe(false);
    expect(drives.selected.size).toBe(0);
  });

  it("runs one job from the engine's plan to its finished result, with progress, and the bytes are on the device", async () => {
    const backing = blankFile('target.img');
    const device = loops.attach(backing);
    const { client } = inProcessEngine();
    const drives = new DriveList(createDrivesPort(client));
    await drives.load(helloIsoPath(), true);
    const target = drives.statuses.find((status) => status.drive.device === device)!;
    const finishedResults: string[] = [];
    const job = new FlashJob(createFlashPort(client), new JobStore(client), { onfinished: (result) => finishedResults.push(result.outcome) });

    const plan = await job.prepare({ imagePath: helloIsoPath(), driveIds: [target.drive.id], includeAll: true, eject: false });
    expect(job.error).toBeNull();
    expect(plan?.targets.map((described) => described.device)).toEqual([device]);
    expect(job.plan).toBe(plan);
    // The web shell has no native confirmation: the page asks for the device's name to be typed.
    const nameToType = plan!.targets[0]!.nameToType!;
    expect(nameToType).toBe(device.replace('/dev/', ''));

    const started = job.start({ typedNames: { [target.drive.id]: nameToType }, acknowledgedFindings: [] });
    expect(job.running).toBe(true);
    expect(job.plan).toBeNull();
    await started;

    expect(job.running).toBe(false);
    expect(job.error).toBeNull();
    expect(job.result).toMatchObject({ outcome: 'succeeded', targets: [{ target: device, outcome: 'verified' }] });
    expect(job.jobId).toBe(job.result?.jobId);
    expect(job.progress?.jobId).toBe(job.result?.jobId);
    expect(job.overallFraction).toBe(1);
    expect(finishedResults).toEqual(['succeeded']);
    const image = readFileSync(helloIsoPath());
    expect(readFileSync(backing).subarray(0, image.byteLength).equals(image)).toBe(true);
  });

  it("keeps the engine's refusal of a start whose typed name is wrong, and writes nothing", async () => {
    const backing = blankFile('refused.img');
    const device = loops.attach(backing);
    const { client } = inProcessEngine();
    const drives = new DriveList(createDrivesPort(client));
    await drives.load(helloIsoPath(), true);
    const target = drives.statuses.find((status) => status.drive.device === device)!;
    const job = new FlashJob(createFlashPort(client), new JobStore(client));
    await job.prepare({ imagePath: helloIsoPath(), driveIds: [target.drive.id], includeAll: true, eject: false });
    await job.start({ typedNames: { [target.drive.id]: 'sda' }, acknowledgedFindings: [] });
    expect(job.error?.code).toBe('confirmation-required');
    expect(job.result).toBeNull();
    expect(readFileSync(backing).every((byte) => byte === 0)).toBe(true);
  });
});
