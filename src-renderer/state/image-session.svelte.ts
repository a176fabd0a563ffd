// The image the user has open, and the state of opening one. Components read it and call its
// methods; it is the only place that talks to the engine about images.
import type { AppDescription } from '../../shared/app.ts';
import type { AppError } from '../../shared/errors.ts';
import type { ImageSummary } from '../../shared/image.ts';
import type { EngineClient } from '../api.ts';

export class ImageSession {
  summary = $state.raw<ImageSummary | null>(null);
  error = $state.raw<AppError | null>(null);
  opening = $state(false);
  app = $state.raw<AppDescription | null>(null);

  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  /** Asks the engine what it is (once, at start-up: main.ts); answers it too, or null when it could not say. */
  async describe(): Promise<AppDescription | null> {
    const result = await this.#client.call('app:describe', {});
    if (result.ok) this.app = result.value;
    return this.app;
  }

  /** The summary when the engine could open the image; null (and `error` set) when not. */
  async open(path: string): Promise<ImageSummary | null> {
    this.opening = true;
    this.error = null;
    try {
      const result = await this.#client.call('image:open', { path });
      if (result.ok) {
        this.summary = result.value;
        return result.value;
      }
      this.error = result.error;
      return null;
    } finally {
      this.opening = false;
    }
  }

  close(): void {
    this.summary = null;
    this.error = null;
  }

  /** A drop that carried no usable path: shown as an error the user can act on. */
  rejectDrop(message: string): void {
    this.error = { code: 'unsupported', message };
  }

  pathForFile(file: File): string | null {
    return this.#client.pathForFile(file);
  }
}
