// The pre-flight assessment of the open image (`image:assess`), asked for each time the Write screen
// shows it: a checksum check made meanwhile in the Inspector changes it, and a file may change on disk.
import type { ImageAssessment } from '../../shared/assessment.ts';
import type { EngineClient } from '../api.ts';
import { ImageAnswer } from './image-answer.svelte.ts';

export class ImageAssessmentState extends ImageAnswer<ImageAssessment> {
  constructor(client: EngineClient) {
    super((path) => client.call('image:assess', { path }));
  }

  get assessment(): ImageAssessment | null {
    return this.value;
  }
}
