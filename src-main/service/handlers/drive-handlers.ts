// `drives:*` calls: the drive list with each drive's verdict. The first call starts a watcher that
// emits `drives:changed` on real differences, for every client attached to this service.
import type { DriveStatus } from '../../../shared/drive.ts';
import { listDriveStatuses, sourceFactsOf } from '../../drives/list-drives.ts';
import { watchDrives, type DriveWatcher } from '../../drives/watch-drives.ts';
import { openImageSource } from '../../flash/image-source.ts';
import type { EventHub } from '../event-hub.ts';
import type { HandlerTable } from '../handler-types.ts';

const watchers = new WeakMap<EventHub, DriveWatcher>();

export const driveHandlers: HandlerTable<'drives:list'> = {
  'drives:list': async ({ includeAll, imagePath }, { events }) => {
    if (!watchers.has(events)) watchers.set(events, watchDrives({ onChange: (change) => events.emit('drives:changed', change) }));
    const source = imagePath === undefined ? null : await sourceFactsOf(imagePath);
    const imageSizeBytes = imagePath === undefined ? null : await imageSizeOf(imagePath);
    const drives: DriveStatus[] = await listDriveStatuses({ includeAll: includeAll ?? false, source, imageSizeBytes });
    return { drives };
  },
};

/** The bytes the image will write, when known without decoding it all (raw images, zip entries). */
async function imageSizeOf(imagePath: string): Promise<number | null> {
  const source = await openImageSource(imagePath).catch(() => null);
  if (source === null) return null;
  await source.close();
  return source.sizeBytes;
}
