// One flash job: progress per target from `flash:progressed`, the summary from its result, cancel.
import type { AppError } from '../../shared/errors.ts';
import type { FlashProgress, FlashResult, FlashStartRequest } from '../../shared/flash.ts';
import { targetFraction } from '../../shared/flash-progress.ts';
import type { FlashPort } from './engine-ports.ts';

export class FlashJob {
  running = $state(false);
  jobId = $state<string | null>(null);
  progress = $state.raw<FlashProgress | null>(null);
  result = $state.raw<FlashResult | null>(null);
  error = $state.raw<AppError | null>(null);
  startedMs = $state(0);
  /** What the last job was asked to do, for "flash again". */
  lastRequest = $state.raw<FlashStartRequest | null>(null);
  readonly #port: FlashPort;
  readonly #onfinished: (result: FlashResult) => void;

  constructor(port: FlashPort, options: { onfinished?: (result: FlashResult) => void } = {}) {
    this.#port = port;
    this.#onfinished = options.onfinished ?? (() => undefined);
    port.onProgress((progress) => {
      if (this.running && (this.jobId === null || progress.jobId === this.jobId)) {
        this.jobId = progress.jobId;
        this.progress = progress;
      }
    });
  }

  /** Overall progress over all targets and phases (writing and verifying weigh the same). */
  get overallFraction(): number | null {
    const targets = this.progress?.targets;
    if (!targets || targets.length === 0) return null;
    const verify = this.lastRequest?.verify ?? true;
    const sum = targets.reduce((total, target) => total + targetFraction(target, verify), 0);
    return sum / targets.length;
  }

  reset(): void {
    this.progress = null;
    this.result = null;
    this.error = null;
    this.jobId = null;
  }

  async start(request: FlashStartRequest): Promise<void> {
    if (this.running) return;
    this.reset();
    this.lastRequest = request;
    this.running = true;
    this.startedMs = Date.now();
    try {
      const result = await this.#port.start(request, (jobId) => (this.jobId = jobId));
      if (result.ok) {
        this.result = result.value;
        this.#onfinished(result.value);
      } else this.error = result.error;
    } finally {
      this.running = false;
    }
  }

  async cancel(): Promise<void> {
    if (this.running && this.jobId) await this.#port.cancel(this.jobId);
  }
}
