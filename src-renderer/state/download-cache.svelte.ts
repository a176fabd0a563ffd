// Settings › Downloads: the files the engine keeps in its download cache (`downloads:list`), complete
// or resumable, the space they take and the cache's limit, and removing one or all (`downloads:clear`);
// state/cache-listing.svelte.ts.
import type { DownloadCacheEntry } from '../../shared/download.ts';
import type { EngineClient } from '../api.ts';
import { CacheListing } from './cache-listing.svelte.ts';

export interface KeptDownload {
  readonly path: string;
  readonly reason: string;
}

export class DownloadCache extends CacheListing<DownloadCacheEntry, KeptDownload> {
  constructor(client: EngineClient) {
    super({
      list: () => client.call('downloads:list', {}),
      clear: (paths) => client.call('downloads:clear', paths === undefined ? {} : { paths: [...paths] }),
    });
  }
}
