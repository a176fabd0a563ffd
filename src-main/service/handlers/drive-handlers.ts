// `drives:*` calls: the drive list with each drive's verdict. The first call starts a watcher that
// emits `drives:changed` on real differences, for every client attached to this service.
import type { DriveStatus } from '../../../shared/drive.ts';
import { ejectDrive } from '../../drives/eject-drive.ts';
import { listDriveStatuses, scanDrives, sourceFactsOf } from '../../drives/list-drives.ts';
import { watchDrives, type DriveWatcher } from '../../drives/watch-drives.ts';
import type { EventHub } from '../event-hub.ts';
import { CodedError } from '../../jobs/errors.ts';
import { flashedSizeOf } from '../flash-plan.ts';
import type { HandlerTable } from '../handler-types.ts';

const watchers = new WeakMap<EventHub, DriveWatcher>();

export const driveHandlers: HandlerTable<'drives:list' | 'drives:eject'> = {
  'drives:list': async ({ includeAll, imagePath }, { events }) => {
    if (!watchers.has(events)) watchers.set(events, watchDrives({ onChange: (change) => events.emit('drives:changed', change) }));
    const source = imagePath === undefined ? null : await sourceFactsOf(imagePath);
    const imageSizeBytes = imagePath === undefined ? null : await flashedSizeOf(imagePath);
    const drives: DriveStatus[] = await listDriveStatuses({ includeAll: includeAll ?? false, source, imageSizeBytes });
    return { drives };
  },
  'drives:eject': async ({ driveId }) => {
    // Never trust the id's meaning: find it in a fresh enumeration, and never eject the system drive.
    const drive = (await scanDrives()).drives.find((candidate) => candidate.id === driveId);
    if (!drive) throw new CodedError('not-found', `no drive with id ${JSON.stringify(driveId)} is attached now`);
    if (drive.isSystem) throw new CodedError('forbidden', `${drive.device} holds the operating system: Isotope does not eject it`);
    await ejectDrive(drive.device);
    return { device: drive.device };
  },
};
