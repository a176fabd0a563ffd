// `drives:*` calls: the drive list with each drive's verdict. The first call starts a watcher that
// emits `drives:changed` on real differences, for every client attached to this service.
import type { DriveStatus } from '../../../shared/drive.ts';
import type { WriteModeRequest } from '../../../shared/stick.ts';
import { ejectDrive } from '../../drives/eject-drive.ts';
import { listDriveStatuses, scanDrives, sourceFactsOf } from '../../drives/list-drives.ts';
import { watchDrives, type DriveWatcher } from '../../drives/watch-drives.ts';
import type { ImageParser } from '../../isolation/image-parser.ts';
import type { EventHub } from '../event-hub.ts';
import { CodedError } from '../../jobs/errors.ts';
import { flashedSizeOf } from '../flash-plan.ts';
import type { HandlerTable } from '../handler-types.ts';

const watchers = new WeakMap<EventHub, DriveWatcher>();

export const driveHandlers: HandlerTable<'drives:list' | 'drives:eject'> = {
  'drives:list': async ({ includeAll, imagePath, mode }, { events, parser }) => {
    if (!watchers.has(events)) watchers.set(events, watchDrives({ onChange: (change) => events.emit('drives:changed', change) }));
    const source = imagePath === undefined ? null : await sourceFactsOf(imagePath);
    const imageSizeBytes = imagePath === undefined ? null : await rawWriteSizeOf(imagePath, mode ?? 'auto', parser);
    const options = { includeAll: includeAll ?? false, source, imageSizeBytes };
    const drives: DriveStatus[] = await listDriveStatuses(options);
    // A drive smaller than a disk image may still hold its partitions: read only when some drive is.
    const tooSmall = drives.some((status) => status.drive.sizeBytes > 0 && status.refusals.some((issue) => issue.code === 'too-small'));
    if (imagePath === undefined || !tooSmall) return { drives };
    // Unreadable past its partitions (or over the parser's budget): the drive stays too small, the safe verdict.
    const partitionFit = await parser.run('flash:fit', { path: imagePath }).catch(() => null);
    return { drives: partitionFit === null ? drives : await listDriveStatuses({ ...options, partitionFit }) };
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

/**
 * The image's size as the "drive too small" rule's measure: a raw write's bytes. A copy-files stick
 * holds the image's files on a new FAT32 volume, whose size only composing it for the drive tells
 * (flash:prepare does, refusing with target-too-small and both sizes): the list does not guess it.
 */
async function rawWriteSizeOf(imagePath: string, mode: WriteModeRequest, parser: ImageParser): Promise<number | null> {
  const chosen = await parser.run('stick:mode', { path: imagePath, mode });
  return chosen.mode === 'raw' ? flashedSizeOf(imagePath) : null;
}
