// The engine behind the contract. Transports (Electron IPC, the web shell's WebSocket) call `invoke`
// with whatever arrived over the wire; in-process callers (the CLI, tests) use the typed `call` and
// `on`, as the renderer's client does. Both doors validate, map errors and log here, once, so every
// shell behaves the same. Each area's handlers live in handlers/; this file only merges them.
import type { ShellKind } from '../../shared/app.ts';
import type { CallName, CallRequest, CallResponse, EventName, Events } from '../../shared/contract.ts';
import { isCallName } from '../../shared/contract.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { inProcessImageParser, type ImageParser } from '../isolation/image-parser.ts';
import { sharedParseWorkerPool } from '../isolation/parse-worker-pool.ts';
import { JobRegistry } from '../jobs/job-registry.ts';
import type { FlashWork } from '../flash/flash-work.ts';
import { createConfirmations, type ShellConfirm } from './confirmations.ts';
import { createEventHub, type EventHub } from './event-hub.ts';
import type { Handler, HandlerContext, HandlerTable } from './handler-types.ts';
import { appHandlers } from './handlers/app-handlers.ts';
import { backupHandlers } from './handlers/backup-handlers.ts';
import { authoringHandlers } from './handlers/authoring-handlers.ts';
import { assessHandlers } from './handlers/assess-handlers.ts';
import { bootHandlers } from './handlers/boot-handlers.ts';
import { checksumHandlers } from './handlers/checksum-handlers.ts';
import { driveHandlers } from './handlers/drive-handlers.ts';
import { flashHandlers, startFlashJob } from './handlers/flash-handlers.ts';
import { formatHandlers } from './handlers/format-handlers.ts';
import { imageHandlers } from './handlers/image-handlers.ts';
import { jobHandlers } from './handlers/job-handlers.ts';
import { validateRequest } from './request-schemas.ts';
import { toAppError, type Logger } from '../app-error/to-app-error.ts';

/** What a shell provides that the engine cannot do itself. */
export interface ShellPorts {
  readonly shell: ShellKind;
  /** A native "open image" dialog; absent in shells without one (the web shell, the CLI). */
  readonly pickImageFile?: () => Promise<string | null>;
  /** A native "save as" dialog for a backup's output, proposing `suggestedName`; absent where there is none. */
  readonly pickBackupOutput?: (suggestedName: string) => Promise<string | null>;
  /** A native "save as" dialog for a new or remastered image, proposing `suggestedName`; absent where there is none. */
  readonly pickIsoOutput?: (suggestedName: string) => Promise<string | null>;
  /** A native dialog choosing folders or files to put in a new image; empty when dismissed. */
  readonly pickIsoSources?: (kind: 'folder' | 'files') => Promise<readonly string[]>;
  /**
   * The shell's own confirmation of a destructive or trust-changing call, shown where the renderer
   * cannot reach it (Electron's main process). Absent where the page is the only interface (the web
   * shell): there the engine asks for every target's name to be typed instead.
   */
  readonly confirmDestructive?: ShellConfirm;
}

export interface ServiceOptions extends ShellPorts {
  readonly version: string;
  readonly log?: Logger;
  /**
   * How to start this program again as the elevated flash helper (interpreter + entry script); the
   * default is this process's own. Electron passes its binary and the bundle's main.js.
   */
  readonly elevatedHelper?: { readonly interpreterPath: string; readonly entryPath: string };
  /**
   * Where image-reading calls run. Default: the process's parse worker pool (heap cap, time budget),
   * so a hostile image never takes down a long-lived engine; the CLI parses in its own short-lived
   * process instead (see inProcessImageParser).
   */
  readonly imageParser?: ImageParser;
  /** Epoch ms now, for confirmations' expiry; `Date.now` unless a test moves time. */
  readonly clock?: () => number;
}

export interface Service {
  /**
   * The transports' door: `method` and `request` are whatever arrived over the wire. Checks that the
   * call exists, then answers as `call` does; never throws.
   */
  invoke(method: string, request: unknown): Promise<Result<unknown>>;
  /**
   * The in-process door, typed by the contract: validates `request` with the same schemas (a typed
   * caller can still pass a user's bad path or a NaN), runs the handler, answers with a Result; never throws.
   */
  call<K extends CallName>(name: K, request: CallRequest<K>): Promise<Result<CallResponse<K>>>;
  /** Listens to one event by name, typed by the contract; returns the unsubscribe function. */
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void;
  /** Every event, for the transports that forward them all. */
  readonly events: EventHub;
  /**
   * Starts a flash or verify job on targets named by path (devices or regular files) without a
   * contract confirmation. For the CLI only, whose user confirmed at the terminal: it is not a
   * contract call, so no transport (IPC, WebSocket) can reach it.
   */
  startTerminalJob(work: FlashWork): { jobId: string };
}

// A call missing from this table is a compile error.
const handlers = {
  ...appHandlers,
  ...imageHandlers,
  ...bootHandlers,
  ...assessHandlers,
  ...checksumHandlers,
  ...driveHandlers,
  ...flashHandlers,
  ...formatHandlers,
  ...jobHandlers,
  ...backupHandlers,
  ...authoringHandlers,
} satisfies HandlerTable<CallName>;

export function createService(options: ServiceOptions): Service {
  const events = createEventHub();
  const log: Logger = options.log ?? ((message, error) => console.error(`[isotope] ${message}:`, error));
  const parser = options.imageParser ?? (options.shell === 'cli' ? inProcessImageParser : sharedParseWorkerPool());
  const context: HandlerContext = { options, events, parser, confirmations: createConfirmations(options.clock), jobs: new JobRegistry() };

  async function call<K extends CallName>(name: K, request: unknown): Promise<Result<CallResponse<K>>> {
    const parsed = validateRequest(name, request);
    if (!parsed.ok) return fail({ code: 'invalid-request', message: `${name}: ${parsed.reasons.join('; ')}` });
    try {
      // The schema table is keyed like the handler table, so the parsed value fits this handler.
      const table: HandlerTable<CallName> = handlers;
      const handler: Handler<K> = table[name];
      return ok(await handler(parsed.value as CallRequest<K>, context));
    } catch (error) {
      return fail(toAppError(error, log));
    }
  }

  return {
    events,
    startTerminalJob: (work) => startFlashJob(context, work),
    call,
    on<K extends EventName>(name: K, listener: (payload: Events[K]) => void) {
      const wanted: EventName = name;
      // The hub emits each name with its own payload type, so a payload under `name` is an Events[K].
      return events.subscribe((emitted, payload) => {
        if (emitted === wanted) listener(payload as Events[K]);
      });
    },
    async invoke(method, request) {
      if (!isCallName(method)) {
        return fail({ code: 'unknown-call', message: `no call named ${JSON.stringify(method).slice(0, 100)}` });
      }
      return call(method, request);
    },
  };
}
