// A backup as plain data (which drive, by its device numbers from a fresh enumeration; which file) and
// its run: the output checked first, then the device opened and written out. How the device's bytes are
// obtained is the caller's choice: read here (root, or a user allowed to read the device), or streamed
// by the elevated helper (elevation/), which reads only that whole device and never writes user files.
import type { BackupCompression, BackupResult } from '../../shared/backup.ts';
import type { Drive } from '../../shared/drive.ts';
import { scanDrives } from '../drives/list-drives.ts';
import { CodedError } from '../jobs/errors.ts';
import { writeBackup, type BackupControls } from './backup-drive.ts';
import { openDeviceBytes, type DeviceBytes } from './device-reader.ts';
import { checkBackupOutput } from './output-checks.ts';

export interface BackupWork {
  readonly device: string;
  /** "major:minor" of the whole device, from the enumeration: only it is read. */
  readonly deviceNumber: string;
  readonly partitionDeviceNumbers: readonly string[];
  readonly outputPath: string;
  readonly compression: BackupCompression;
  readonly overwrite: boolean;
}

/** Opens the bytes of the work's device; the default reads here. */
export type DeviceOpener = (work: BackupWork, signal: AbortSignal) => Promise<DeviceBytes>;

export const openDeviceHere: DeviceOpener = (work, signal) => openDeviceBytes(work.device, { deviceNumber: work.deviceNumber, signal });

/** The drive named by an id (the contract) or a device path (the CLI), in a fresh enumeration. */
export async function findBackupDrive(which: { readonly driveId: string } | { readonly devicePath: string }): Promise<Drive> {
  const { drives } = await scanDrives();
  const drive = drives.find((candidate) =>
    'driveId' in which ? candidate.id === which.driveId : candidate.device === which.devicePath || candidate.raw === which.devicePath,
  );
  if (drive === undefined) {
    const named = 'driveId' in which ? `drive id ${JSON.stringify(which.driveId)}` : which.devicePath;
    throw new CodedError('not-found', `${named} is not a whole drive attached now (a partition or a file is not backed up)`);
  }
  if (drive.deviceNumber === null) throw new CodedError('not-found', `${drive.device} has no device number: it cannot be read safely`);
  return drive;
}

export function backupWorkFor(drive: Drive, output: { outputPath: string; compression: BackupCompression; overwrite: boolean }): BackupWork {
  return {
    device: drive.device,
    deviceNumber: drive.deviceNumber ?? '',
    partitionDeviceNumbers: drive.partitionDeviceNumbers,
    ...output,
  };
}

/** Checks the output (nothing is read or written when it is refused), then reads the device into it. */
export async function runBackupWork(
  work: BackupWork,
  controls: BackupControls & { readonly jobId: string },
  openDevice: DeviceOpener = openDeviceHere,
): Promise<BackupResult> {
  await checkBackupOutput({
    outputPath: work.outputPath,
    overwrite: work.overwrite,
    device: work.device,
    driveDeviceNumbers: [work.deviceNumber, ...work.partitionDeviceNumbers],
  });
  const bytes = await openDevice(work, controls.signal);
  return writeBackup(bytes, { jobId: controls.jobId, device: work.device, outputPath: work.outputPath, compression: work.compression }, controls);
}
