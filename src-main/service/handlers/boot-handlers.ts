// `image:boot`: how an image boots (El Torito, MBR/GPT/APM, EFI loaders, verdict), with the ISO path
// of each boot image found through the directory tree.
import { readBootReport } from '../../boot/boot-report.ts';
import { indexFilesByExtentLba, openIsoImage, type IsoImage } from '../../image/iso-image.ts';
import { createCachedSource } from '../../io/cached-source.ts';
import { openImageSource } from '../../container/open-image-source.ts';
import type { HandlerTable } from '../handler-types.ts';

export const bootHandlers: HandlerTable<'image:boot'> = {
  'image:boot': async ({ path }) => {
    const source = createCachedSource(await openImageSource(path)); // .iso, .cue/.bin or .nrg
    try {
      // A disk image (MBR/GPT only) has no ISO tree: its boot report simply carries no image paths.
      const image = await openIsoImage(source);
      return await readBootReport(source, image ? { lookupPath: pathsByExtentLba(image) } : {});
    } finally {
      await source.close();
    }
  },
};

/**
 * Finds the ISO path of the file starting at a logical block. The tree is walked once, on the first
 * lookup, however many catalog entries ask (a hostile catalog may hold a thousand).
 */
function pathsByExtentLba(image: IsoImage): (lba: number) => Promise<string | null> {
  let files: ReturnType<typeof indexFilesByExtentLba> | null = null;
  return async (lba) => (await (files ??= indexFilesByExtentLba(image))).get(lba)?.path ?? null;
}
