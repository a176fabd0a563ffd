// The preview of the file chosen in the Contents tab (the engine sends at most its first KiB).
import type { AppError } from '../../shared/errors.ts';
import type { ImageNamespaceChoice, ImagePreview } from '../../shared/image.ts';
import type { EngineClient } from '../api.ts';

export class FilePreview {
  file = $state<string | null>(null);
  preview = $state.raw<ImagePreview | null>(null);
  error = $state.raw<AppError | null>(null);
  loading = $state(false);
  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  clear(): void {
    this.file = null;
    this.preview = null;
    this.error = null;
  }

  async show(imagePath: string, file: string, namespace: ImageNamespaceChoice): Promise<void> {
    if (this.file === file && (this.preview || this.loading)) return;
    this.file = file;
    this.preview = null;
    this.error = null;
    this.loading = true;
    try {
      const result = await this.#client.call('image:preview', { path: imagePath, file, namespace });
      if (this.file !== file) return; // the user moved on
      if (result.ok) this.preview = result.value;
      else this.error = result.error;
    } finally {
      if (this.file === file) this.loading = false;
    }
  }
}
