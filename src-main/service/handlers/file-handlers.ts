// `files:*`: the in-app file dialog of the web shell (issue 17). The engine lists what its own account
// can read, never the home folder's credential places; listing grants nothing (shared/files.ts).
import { homedir, userInfo } from 'node:os';
import { scanDrives } from '../../drives/list-drives.ts';
import { filePlaces, removableMountsOf } from '../../files/file-places.ts';
import { listFolder } from '../../files/list-folder.ts';
import { RecentFolders } from '../../files/recent-folders.ts';
import { realPrivateHomePlaces } from '../../security/source-locations.ts';
import type { HandlerTable } from '../handler-types.ts';

/** The folders of images opened through this engine (image-handlers.ts remembers each). */
export const recentFolders = new RecentFolders();

export const fileHandlers: HandlerTable<'files:places' | 'files:list'> = {
  'files:places': async () =>
    filePlaces({
      home: homedir(),
      userName: userInfo().username,
      configHome: process.env.XDG_CONFIG_HOME,
      removableMounts: async () => removableMountsOf((await scanDrives()).drives),
      recentFolders: await recentFolders.existing(),
    }),
  'files:list': async (request) => listFolder(request, { privatePlaces: await realPrivateHomePlaces(homedir()) }),
};
