// The Queue screen (issue 19): a set of (image, drive) pairs written under one confirmation, each
// pair its own job, all at once or one after another (`queue:prepare`, `queue:start`, rows as
// `queue:changed`); and duplicator mode, one image to every stick inserted from now on
// (`duplicator:prepare`, `duplicator:start`, the count as `duplicator:changed`, `duplicator:stop`).
// The engine checks every drive and the typed names itself; this only gathers what the user chose.
import type { AssessmentFindingCode } from '../../shared/assessment.ts';
import type { DriveStatus } from '../../shared/drive.ts';
import type { AppError } from '../../shared/errors.ts';
import type { DuplicatorPlan, DuplicatorState, QueueOrder, QueuePlan, QueueState } from '../../shared/queue.ts';
import type { Result } from '../../shared/result.ts';
import type { EngineClient } from '../api.ts';

export class WriteQueue {
  /** The drives to choose from (`drives:list`), with the rules' verdicts. */
  drives = $state.raw<readonly DriveStatus[]>([]);
  includeAll = $state(false);
  /** The image every drive gets unless it has its own. */
  defaultImagePath = $state('');
  /** driveId -> its own image; absent: the default image. */
  imageOf = $state<Record<string, string>>({});
  /** The drives ticked, in the order they run when sequential. */
  chosen = $state<string[]>([]);
  order = $state<QueueOrder>('parallel');
  plan = $state.raw<QueuePlan | null>(null);
  running = $state.raw<QueueState | null>(null);
  duplicatorPlan = $state.raw<DuplicatorPlan | null>(null);
  typedPhrase = $state('');
  duplicator = $state.raw<DuplicatorState | null>(null);
  busy = $state(false);
  error = $state.raw<AppError | null>(null);
  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
    client.subscribe('queue:changed', (state) => {
      if (state.queueId === this.running?.queueId) this.running = state;
    });
    client.subscribe('duplicator:changed', (state) => {
      if (state.duplicatorId === this.duplicator?.duplicatorId) this.duplicator = state;
    });
  }

  async loadDrives(): Promise<void> {
    const listed = await this.#ask(() => this.#client.call('drives:list', { includeAll: this.includeAll }));
    if (listed) this.drives = listed.drives;
  }

  toggle(driveId: string, on: boolean): void {
    this.chosen = on ? [...this.chosen.filter((id) => id !== driveId), driveId] : this.chosen.filter((id) => id !== driveId);
    this.plan = null;
  }

  imagePathFor(driveId: string): string {
    return this.imageOf[driveId]?.trim() || this.defaultImagePath.trim();
  }

  async prepare(): Promise<void> {
    const pairs = this.chosen.map((driveId) => ({ driveId, imagePath: this.imagePathFor(driveId) }));
    this.plan = await this.#ask(() => this.#client.call('queue:prepare', { pairs, order: this.order, includeAll: this.includeAll }));
  }

  /**
   * Starts the prepared queue with what its confirmation dialog gathered: the names typed and the
   * blocking findings the user ticked "Write anyway" for (the engine refuses the start without them).
   */
  async start(confirmation: { readonly typedNames: Record<string, string>; readonly acknowledgedFindings: readonly AssessmentFindingCode[] }): Promise<void> {
    const plan = this.plan;
    if (plan === null) return;
    const { typedNames, acknowledgedFindings } = confirmation;
    const started = await this.#ask(() => this.#client.call('queue:start', { confirmationId: plan.confirmationId, typedNames, acknowledgedFindings }));
    this.plan = null;
    if (started) this.running = started;
  }

  async prepareDuplicator(): Promise<void> {
    const imagePath = this.defaultImagePath.trim();
    this.typedPhrase = '';
    this.duplicatorPlan = await this.#ask(() => this.#client.call('duplicator:prepare', { imagePath, includeAll: this.includeAll }));
  }

  /** Starts duplicator mode with the blocking findings of its image the user ticked "Write anyway" for. */
  async startDuplicator(acknowledgedFindings: readonly AssessmentFindingCode[]): Promise<void> {
    const plan = this.duplicatorPlan;
    if (plan === null) return;
    const started = await this.#ask(() =>
      this.#client.call('duplicator:start', {
        confirmationId: plan.confirmationId,
        typedPhrase: this.typedPhrase,
        acknowledgedFindings,
      }),
    );
    this.duplicatorPlan = null;
    if (started) this.duplicator = started;
  }

  async stopDuplicator(): Promise<void> {
    const running = this.duplicator;
    if (running === null) return;
    const stopped = await this.#ask(() => this.#client.call('duplicator:stop', { duplicatorId: running.duplicatorId }));
    if (stopped) this.duplicator = stopped;
  }

  cancelPlans(): void {
    this.plan = null;
    this.duplicatorPlan = null;
  }

  async #ask<T>(call: () => Promise<Result<T>>): Promise<T | null> {
    this.busy = true;
    this.error = null;
    try {
      const result = await call();
      if (!result.ok) this.error = result.error;
      return result.ok ? result.value : null;
    } finally {
      this.busy = false;
    }
  }
}
