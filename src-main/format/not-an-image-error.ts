// The file is readable but holds no image format Isotope recognises. Mapped to `not-an-image`.

export class NotAnImageError extends Error {
  readonly path: string;
  constructor(path: string, lookedFor: string) {
    super(`${path} is not a disk or ISO image: ${lookedFor}`);
    this.name = 'NotAnImageError';
    this.path = path;
  }
}
