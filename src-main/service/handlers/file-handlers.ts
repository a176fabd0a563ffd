// `files:*`: the in-app file dialog of the web shell (issue 17). The engine lists what its own account
// can read, never the home folder's credential places; listing grants nothing (shared/files.ts).
// Under sudo the account is the invoking user's (files/invoking-user-view.ts): its home, its places,
// and only folders it may read and enter.
import { realpath, stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { scanDrives } from '../../drives/list-drives.ts';
import { filePlaces, removableMountsOf } from '../../files/file-places.ts';
import { sudoInvokingUser, viewAsInvokingUser, type InvokingUser } from '../../files/invoking-user-view.ts';
import { listFolder } from '../../files/list-folder.ts';
import { RecentFolders } from '../../files/recent-folders.ts';
import { realPrivateHomePlaces } from '../../security/source-locations.ts';
import { CodedError } from '../../jobs/errors.ts';
import { toAppError, type Logger } from '../../app-error/to-app-error.ts';
import type { ImageParser } from '../../isolation/image-parser.ts';
import type { FilesListRequest, FolderListing, RecentFileCheck } from '../../../shared/files.ts';
import type { HandlerTable } from '../handler-types.ts';

/** The folders of images opened through this engine (image-handlers.ts remembers each). */
export const recentFolders = new RecentFolders();

export const fileHandlers: HandlerTable<'files:places' | 'files:list' | 'files:check-recent'> = {
  'files:places': async () => {
    const user = sudoInvokingUser();
    const account = user === null ? { home: homedir(), userName: userInfo().username } : await viewAsInvokingUser(user, null);
    return filePlaces({
      home: account.home,
      userName: account.userName,
      // Under sudo the environment is root's: the user's config folder is the default one in its home.
      configHome: user === null ? process.env.XDG_CONFIG_HOME : undefined,
      removableMounts: async () => removableMountsOf((await scanDrives()).drives),
      recentFolders: await recentFolders.existing(),
    });
  },
  'files:list': async (request) => {
    const user = sudoInvokingUser();
    if (user === null) return listFolder(request, { privatePlaces: await realPrivateHomePlaces(homedir()) });
    return listAsInvokingUser(request, user);
  },
  'files:check-recent': async ({ paths }, { parser, log }) => {
    // Under sudo each file is first checked for reading by the invoking user's own account, as files:list does for folders.
    const user = sudoInvokingUser();
    const refusals = user === null ? paths.map(() => null) : (await viewAsInvokingUser(user, null, paths)).fileErrors;
    const checks = await Promise.all(paths.map((path, index) => checkRecentFile(path, refusals[index] ?? null, parser, log)));
    return { checks };
  },
};

/**
 * One recent image: gone when no regular file is there any more, else what the opener's detection
 * says of its first sectors, run in a parse worker as every read of untrusted bytes is. Whatever keeps
 * it from judging (the user may not read it, damage, a compressed file not decoded) is 'unknown'.
 */
async function checkRecentFile(path: string, userRefusal: string | null, parser: ImageParser, log: Logger): Promise<RecentFileCheck> {
  if (userRefusal === 'ENOENT' || userRefusal === 'ENOTDIR') return { path, verdict: 'gone', reason: `${path} does not exist (${userRefusal})` };
  if (userRefusal !== null) return { path, verdict: 'unknown', reason: `${path} cannot be read by the user who started Isotope with sudo (${userRefusal})` };
  try {
    if (!(await stat(path)).isFile()) return { path, verdict: 'gone', reason: `${path} is no longer a file` };
    const probe = await parser.run('image:probe', { path });
    return probe.verdict === 'image' ? { path, verdict: 'image', reason: null } : { path, ...probe };
  } catch (error) {
    // ENOENT and ENOTDIR (stat's own, or the parse worker's mapped) are not-found; a bug is logged, as the
    // service logs any call's, since its message says to look there.
    const { code, message } = toAppError(error, log);
    return { path, verdict: code === 'not-found' ? 'gone' : 'unknown', reason: message };
  }
}

/**
 * Lists the folder's real path once the invoking user's account may read and enter it; the listing
 * must be of that same path (a folder the user renamed into a link meanwhile is refused).
 */
async function listAsInvokingUser(request: FilesListRequest, user: InvokingUser): Promise<FolderListing> {
  const real = await realpath(request.path).catch(() => request.path);
  const view = await viewAsInvokingUser(user, real);
  if (view.folderError !== null) {
    throw new CodedError('permission-denied', `${real} cannot be read by uid ${user.uid}, who started Isotope with sudo (${view.folderError})`, {
      path: request.path,
    });
  }
  const listing = await listFolder({ ...request, path: real }, { privatePlaces: await realPrivateHomePlaces(view.home) });
  if (listing.path !== real) throw new CodedError('permission-denied', `${request.path} changed while it was listed; list it again`, { path: request.path });
  return listing;
}
