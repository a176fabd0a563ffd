// Types for the per-area handler tables that service.ts merges into one.
import type { CallName, CallRequest, CallResponse } from '../../shared/contract.ts';
import type { Logger } from '../app-error/to-app-error.ts';
import type { Confirmations } from './confirmations.ts';
import type { ImageParser } from '../isolation/image-parser.ts';
import type { JobRegistry } from '../jobs/job-registry.ts';
import type { EventHub } from './event-hub.ts';
import type { ServiceOptions } from './service.ts';

export type Handler<K extends CallName> = (request: CallRequest<K>, context: HandlerContext) => Promise<CallResponse<K>>;

/** The handlers of one area (`image:*`, `checksum:*`, ...): exactly the calls named in K. */
export type HandlerTable<K extends CallName> = { readonly [P in K]: Handler<P> };

/** What every handler may use: the shell's ports, the event hub, this service's pending confirmations and running jobs. */
export interface HandlerContext {
  readonly options: ServiceOptions;
  readonly events: EventHub;
  /** Where image-reading calls run: a capped parse worker, or this thread in the CLI (src-main/isolation/). */
  readonly parser: ImageParser;
  readonly confirmations: Confirmations;
  /** This service's running jobs of every kind, by id, for `job:cancel`. */
  readonly jobs: JobRegistry;
  /** Where a bug is logged (options.log, else stderr), built once in createService: for a handler or a job that maps a failure to an answer itself rather than throwing. */
  readonly log: Logger;
}
