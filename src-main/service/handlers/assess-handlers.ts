// `image:assess`: the pre-flight assessment of an image (src-main/assess/), for the Write screen and
// `isotope flash` before any drive is chosen; `flash:prepare` computes it again for its plan.
import { assessImage } from '../../assess/assess-image.ts';
import type { HandlerTable } from '../handler-types.ts';

export const assessHandlers: HandlerTable<'image:assess'> = {
  'image:assess': ({ path }) => assessImage(path),
};
