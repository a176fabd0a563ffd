// `image:assess`: the pre-flight assessment of an image (src-main/assess/), for the Write screen and
// `isotope flash` before any drive is chosen; `flash:prepare` computes it again for its plan. The
// image is read by the parse worker, like every untrusted image; this run's checksum verdicts stay here.
import { assessImage, type AssessImageOptions } from '../../assess/assess-image.ts';
import type { ImageParser } from '../../isolation/image-parser.ts';
import type { HandlerTable } from '../handler-types.ts';

export const assessHandlers: HandlerTable<'image:assess'> = {
  'image:assess': ({ path }, { parser }) => assessImage(path, { judge: judgeInWorker(parser) }),
};

/** The assessment's reading of the image, run by the service's parser (a worker in the desktop and web shells). */
export function judgeInWorker(parser: ImageParser): NonNullable<AssessImageOptions['judge']> {
  return (imagePath, signal) => parser.run('image:assess', { path: imagePath }, signal ? { signal } : {});
}
