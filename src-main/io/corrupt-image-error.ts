// The one error type every image parser and decoder throws for damaged or hostile input. The service
// maps it to the `corrupt-image` code; its message always names where (sector, offset) and what was wrong.

export class CorruptImageError extends Error {
  readonly where: Readonly<Record<string, number | string>>;
  constructor(message: string, where: Readonly<Record<string, number | string>> = {}) {
    super(message);
    this.name = 'CorruptImageError';
    this.where = where;
  }
}
