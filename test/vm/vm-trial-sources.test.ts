// What a VM trial may boot (issue 18, "Safety"; review R2 finding 1): the app's `image` source is a
// regular file only, a drive is reached only by its id (so its device number is checked), and the
// disk the running system lives on is never booted, by id in the app nor by path in `isotope try`.
// An in-app trial without `seconds` ends after an hour rather than run on unseen.
import { describe, expect, it } from 'vitest';
import type { Drive } from '../../shared/drive.ts';
import { scanDrives } from '../../src-main/drives/list-drives.ts';
import { maxInAppTrialSeconds, trialDriveOf, trialRequest } from '../../src-main/vm/vm-trial.ts';
import { waitingGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { isotope } from '../helpers/in-process-cli.ts';
import { qemuAvailable } from '../helpers/qemu-boot.ts';

function drive(overrides: Partial<Drive>): Drive {
  return {
    id: 'sdb-8:16',
    device: '/dev/sdb',
    raw: '/dev/sdb',
    deviceNumber: '8:16',
    description: 'Test stick',
    model: null,
    serial: null,
    wwn: null,
    sizeBytes: 8 * 1024 ** 3,
    logicalBlockSizeBytes: 512,
    physicalBlockSizeBytes: 512,
    isRemovable: true,
    isUsb: true,
    isReadOnly: false,
    isSystem: false,
    isVirtual: false,
    mountpoints: [],
    partitionDeviceNumbers: [],
    partitions: [],
    ...overrides,
  };
}

describe('the drive a trial names by id', () => {
  it('is the drive with that id, by its raw path and device number', () => {
    expect(trialDriveOf([drive({})], 'sdb-8:16')).toEqual({ device: '/dev/sdb', deviceNumber: '8:16' });
  });

  it('is refused when it holds the running operating system, naming the drive and its mountpoints', () => {
    const system = drive({ id: 'sda-8:0', device: '/dev/sda', raw: '/dev/sda', deviceNumber: '8:0', isSystem: true, mountpoints: ['/', '/boot'] });
    expect(() => trialDriveOf([system], 'sda-8:0')).toThrow(
      expect.objectContaining({ code: 'refused', message: expect.stringMatching(/\/dev\/sda holds the running operating system \(\/, \/boot\)/) }),
    );
  });

  it('is not-found when no drive attached now has that id', () => {
    expect(() => trialDriveOf([drive({})], 'sdc-8:32')).toThrow(expect.objectContaining({ code: 'not-found' }));
  });
});

describe.skipIf(!qemuAvailable())("the app's image source", () => {
  const inApp = { firmware: 'bios', medium: 'cd', view: 'in-app' } as const;

  it('refuses a device passed as an image (a character device here) with not-a-file, pointing to the drive list', async () => {
    await expect(trialRequest({ ...inApp, source: { kind: 'image', path: '/dev/null' } })).rejects.toMatchObject({
      code: 'not-a-file',
      message: expect.stringMatching(/\/dev\/null is not a regular file: a drive is tried by its id/),
    });
  });

  it('refuses a block device passed as an image, the system disk among them', async (context) => {
    const { drives } = await scanDrives();
    const blockDevice = drives.find((candidate) => candidate.isSystem) ?? drives[0];
    if (blockDevice === undefined) return context.skip('no block device visible here: the character device above stands for it');
    await expect(trialRequest({ ...inApp, source: { kind: 'image', path: blockDevice.device } })).rejects.toMatchObject({ code: 'not-a-file' });
  });

  it(`stops an in-app trial without seconds after ${maxInAppTrialSeconds} s, and keeps the seconds asked`, async () => {
    const source = { kind: 'image', path: waitingGrubIsoPath() } as const;
    expect((await trialRequest({ ...inApp, source })).seconds).toBe(3600);
    expect((await trialRequest({ ...inApp, source, seconds: 20 })).seconds).toBe(20);
  });
});

describe('isotope try DEVICE', () => {
  it('refuses the disk the running system lives on before QEMU starts', async (context) => {
    const system = (await scanDrives()).drives.find((candidate) => candidate.isSystem);
    if (system === undefined) return context.skip(); // this machine shows no system disk (a container over an overlay)
    const run = await isotope(['try', system.device, '--headless', '--seconds', '1', '--no-kvm']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${system.device} holds the running operating system`);
  });
});
