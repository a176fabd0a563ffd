// The engine's answer to one call about the open image (its boot report, its pre-flight assessment),
// kept for the image last asked about only: an answer that comes back after another image was opened
// is dropped, so a slow answer never shows against the wrong image.
import type { AppError } from '../../shared/errors.ts';
import type { Result } from '../../shared/result.ts';

export class ImageAnswer<T> {
  /** The answer for the image last asked about; null while it is coming or when the call failed. */
  value = $state.raw<T | null>(null);
  error = $state.raw<AppError | null>(null);
  loading = $state(false);
  #imagePath: string | null = null;
  readonly #ask: (imagePath: string) => Promise<Result<T>>;

  constructor(ask: (imagePath: string) => Promise<Result<T>>) {
    this.#ask = ask;
  }

  async load(imagePath: string): Promise<void> {
    this.#imagePath = imagePath;
    this.value = null;
    this.error = null;
    this.loading = true;
    try {
      const result = await this.#ask(imagePath);
      if (this.#imagePath !== imagePath) return; // another image was opened meanwhile
      if (result.ok) this.value = result.value;
      else this.error = result.error;
    } finally {
      if (this.#imagePath === imagePath) this.loading = false;
    }
  }
}
