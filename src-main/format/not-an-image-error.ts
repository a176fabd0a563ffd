// The file is readable but holds no image format Isotope recognises. Mapped to `not-an-image`.
import { CodedError } from '../jobs/errors.ts';

export class NotAnImageError extends CodedError {
  readonly path: string;
  constructor(path: string, lookedFor: string) {
    super('not-an-image', `${path} is not a disk or ISO image: ${lookedFor}`);
    this.name = 'NotAnImageError';
    this.path = path;
  }
}
