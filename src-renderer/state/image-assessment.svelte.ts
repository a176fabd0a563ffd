// The pre-flight assessment of the open image (`image:assess`), asked for each time the Write screen
// shows it: a checksum check made meanwhile in the Inspector changes it, and a file may change on disk.
import type { ImageAssessment } from '../../shared/assessment.ts';
import type { AppError } from '../../shared/errors.ts';
import type { EngineClient } from '../api.ts';

export class ImageAssessmentState {
  assessment = $state.raw<ImageAssessment | null>(null);
  error = $state.raw<AppError | null>(null);
  loading = $state(false);
  #imagePath: string | null = null;
  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  async load(imagePath: string): Promise<void> {
    this.#imagePath = imagePath;
    this.assessment = null;
    this.error = null;
    this.loading = true;
    try {
      const result = await this.#client.call('image:assess', { path: imagePath });
      if (this.#imagePath !== imagePath) return; // another image was opened meanwhile
      if (result.ok) this.assessment = result.value;
      else this.error = result.error;
    } finally {
      if (this.#imagePath === imagePath) this.loading = false;
    }
  }
}
