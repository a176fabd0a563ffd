// The write screen's drive list: the engine's verdict per drive for the open image, refreshed live
// while the list is on screen (`drives:changed` through createSubscriber), and the chosen targets.
import { SvelteSet, createSubscriber } from 'svelte/reactivity';
import type { DriveIssue, DriveStatus } from '../../shared/drive.ts';
import type { AppError } from '../../shared/errors.ts';
import type { WriteModeRequest } from '../../shared/stick.ts';
import type { DrivesPort } from './engine-ports.ts';

/** One line per issue code: the engine's rules may give two reasons for the same code. */
export function distinctIssues(issues: readonly DriveIssue[]): DriveIssue[] {
  return issues.filter((issue, index) => issues.findIndex((other) => other.code === issue.code) === index);
}

export class DriveList {
  statuses = $state.raw<readonly DriveStatus[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state.raw<AppError | null>(null);
  readonly selected = new SvelteSet<string>();
  #request: { imagePath: string | null; includeAll: boolean; mode: WriteModeRequest } = { imagePath: null, includeAll: false, mode: 'auto' };
  #generation = 0;
  readonly #port: DrivesPort;
  readonly #subscribe: () => void;

  constructor(port: DrivesPort) {
    this.#port = port;
    // Listen for attach/detach only while something on screen reads the list.
    this.#subscribe = createSubscriber((update) => {
      const stop = port.onChanged(() => {
        void this.refresh().then(update);
      });
      return stop;
    });
  }

  /** The drives to show: system drives never, hidden ones only with "show all drives". */
  get visible(): readonly DriveStatus[] {
    this.#subscribe();
    return this.statuses.filter((status) => !status.drive.isSystem && !status.refusals.some((issue) => issue.code === 'system-drive'));
  }

  get selectedStatuses(): DriveStatus[] {
    return this.statuses.filter((status) => this.selected.has(status.drive.id) && status.eligible);
  }

  /** Lists the drives for writing `imagePath` (null: no image) in `mode`, which decides whether a drive smaller than the image is refused. */
  async load(imagePath: string | null, includeAll: boolean, mode: WriteModeRequest = 'auto'): Promise<void> {
    this.#request = { imagePath, includeAll, mode };
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    try {
      const result = await this.#port.list(this.#request);
      if (generation !== this.#generation) return;
      if (result.ok) {
        this.statuses = result.value;
        this.error = null;
        // A drive that went away or became ineligible is no longer a target.
        const eligible = result.value.filter((status) => status.eligible).map((status) => status.drive.id);
        for (const id of [...this.selected]) if (!eligible.includes(id)) this.selected.delete(id);
      } else {
        this.error = result.error;
      }
      this.loaded = true;
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Devices ejected from this list (for the summary's buttons). */
  readonly ejected = new SvelteSet<string>();
  ejectError = $state.raw<AppError | null>(null);

  /** Ejects the drive at `device` (a target of the last write), found by its id in the current list. */
  async eject(device: string): Promise<void> {
    this.ejectError = null;
    const status = this.statuses.find((candidate) => candidate.drive.device === device);
    if (!status) {
      this.ejectError = { code: 'not-found', message: `${device} is no longer attached` };
      return;
    }
    const result = await this.#port.eject(status.drive.id);
    if (result.ok) this.ejected.add(device);
    else this.ejectError = result.error;
  }

  /** Forgets the last job's ejections and eject error: their notice belongs to that job's summary only. */
  clearEjections(): void {
    this.ejected.clear();
    this.ejectError = null;
  }

  toggle(id: string): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
  }

  clearSelection(): void {
    this.selected.clear();
  }
}
