// The engine behind the contract. Transports (Electron IPC, the web shell's WebSocket) call `invoke`
// with whatever arrived over the wire; in-process callers (the CLI, tests) use the typed `call` and
// `on`, as the renderer's client does. Both doors validate, map errors and log here, once, so every
// shell behaves the same. Each area's handlers live in handlers/; this file only merges them.
import type { ShellKind } from '../../shared/app.ts';
import type { FilePickPurpose } from '../../shared/files.ts';
import type { CallName, CallRequest, CallResponse, EventName, Events } from '../../shared/contract.ts';
import { isCallName } from '../../shared/contract.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { ImageParser, ParseRunOptions } from '../isolation/image-parser.ts';
import type { ParseJobName, ParseJobRequest, ParseJobResponse } from '../isolation/parse-jobs.ts';
import { JobRegistry } from '../jobs/job-registry.ts';
import type { FlashWork } from '../flash/flash-work.ts';
import type { QueueOrder, QueueState } from '../../shared/queue.ts';
import type { ConfirmedPair } from './queue-run.ts';
import type { HttpFetchOptions } from '../net/http-download.ts';
import { createConfirmations, type ShellConfirm } from './confirmations.ts';
import { createEventHub, type EventHub } from './event-hub.ts';
import type { Handler, HandlerContext } from './handler-types.ts';
import { validateRequest } from './request-schemas.ts';
import { toAppError, type Logger } from '../app-error/to-app-error.ts';

/** What a shell provides that the engine cannot do itself. */
export interface ShellPorts {
  readonly shell: ShellKind;
  /** A native open dialog for what `purpose` asks (an image, a key file, any file or a folder); absent in shells without one (the web shell, the CLI). */
  readonly pickOpenPath?: (request: { readonly purpose: FilePickPurpose; readonly title: string | null }) => Promise<string | null>;
  /** A native "save as" dialog for a backup's output, proposing `suggestedName`; absent where there is none. */
  readonly pickBackupOutput?: (suggestedName: string) => Promise<string | null>;
  /** A native "save as" dialog for a new or remastered image, proposing `suggestedName`; absent where there is none. */
  readonly pickIsoOutput?: (suggestedName: string) => Promise<string | null>;
  /** A native dialog choosing folders or files to put in a new image; empty when dismissed. */
  readonly pickIsoSources?: (kind: 'folder' | 'files') => Promise<readonly string[]>;
  /** Shows `path` in the system's file manager (Electron's shell.showItemInFolder); absent where there is none (the web shell, the CLI). */
  readonly showInFolder?: (path: string) => Promise<void>;
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
   * process instead (see inProcessImageParser); either loads at the first parse (defaultImageParser).
   */
  readonly imageParser?: ImageParser;
  /** Epoch ms now, for confirmations' expiry; `Date.now` unless a test moves time. */
  readonly clock?: () => number;
  /** Downloads' transport options: a test's CA (extraCaPem), the CLI's --insecure. Set by the shell, never by a request. */
  readonly http?: HttpFetchOptions;
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
  /** Where this service logs a bug (HandlerContext.log), for a shell that runs part of a job below the service (isotope flash URL records its own job). */
  readonly log: Logger;
  /**
   * Starts a flash or verify job on targets named by path (devices or regular files) without a
   * contract confirmation. For the CLI only, whose user confirmed at the terminal: it is not a
   * contract call, so no transport (IPC, WebSocket) can reach it.
   */
  startTerminalJob(work: FlashWork): Promise<{ jobId: string }>;
  /**
   * Runs a queue of such jobs, one per pair, as `queue:start` runs a confirmed queue (`queue:changed`
   * as it goes); `stop` keeps pairs not yet started from starting. For the CLI only, as startTerminalJob.
   */
  startTerminalQueue(order: QueueOrder, pairs: readonly ConfirmedPair[], stop?: AbortSignal): Promise<QueueState>;
}

// Each area's handlers load the first time one of its calls is made, so a short-lived process (an
// `isotope create`) never loads, parses or holds what it does not call: the backup compressors, the
// boot and assessment readers, the key ring. Node caches a module, so later calls cost one lookup.
const app = () => import('./handlers/app-handlers.ts').then((module) => module.appHandlers);
const image = () => import('./handlers/image-handlers.ts').then((module) => module.imageHandlers);
const boot = () => import('./handlers/boot-handlers.ts').then((module) => module.bootHandlers);
const assess = () => import('./handlers/assess-handlers.ts').then((module) => module.assessHandlers);
const checksum = () => import('./handlers/checksum-handlers.ts').then((module) => module.checksumHandlers);
const drives = () => import('./handlers/drive-handlers.ts').then((module) => module.driveHandlers);
const flash = () => import('./handlers/flash-handlers.ts').then((module) => module.flashHandlers);
const format = () => import('./handlers/format-handlers.ts').then((module) => module.formatHandlers);
const jobs = () => import('./handlers/job-handlers.ts').then((module) => module.jobHandlers);
const backup = () => import('./handlers/backup-handlers.ts').then((module) => module.backupHandlers);
const authoring = () => import('./handlers/authoring-handlers.ts').then((module) => module.authoringHandlers);
const decoding = () => import('./handlers/decode-handlers.ts').then((module) => module.decodeHandlers);
const files = () => import('./handlers/file-handlers.ts').then((module) => module.fileHandlers);
const search = () => import('./handlers/search-handlers.ts').then((module) => module.searchHandlers);
const vm = () => import('./handlers/vm-handlers.ts').then((module) => module.vmHandlers);
const downloads = () => import('./handlers/download-handlers.ts').then((module) => module.downloadHandlers);
const history = () => import('./handlers/history-handlers.ts').then((module) => module.historyHandlers);
const queue = () => import('./handlers/queue-handlers.ts').then((module) => module.queueHandlers);

/** Where each call's handler loads from; a call missing here, or an area without its handler, is a compile error. */
const handlerAreas = {
  'app:describe': app,
  'image:pick': image,
  'image:open': image,
  'image:list': image,
  'image:preview': image,
  'image:stat': image,
  'image:extract': image,
  'image:decode': decoding,
  'cache:list': decoding,
  'cache:clear': decoding,
  'image:boot': boot,
  'image:assess': assess,
  'checksum:hash': checksum,
  'checksum:compare': checksum,
  'checksum:verify': checksum,
  'keys:list': checksum,
  'keys:import': checksum,
  'keys:remove': checksum,
  'drives:list': drives,
  'drives:eject': drives,
  'flash:prepare': flash,
  'flash:start': flash,
  'flash:verify': flash,
  'drives:format-prepare': format,
  'drives:format-start': format,
  'job:cancel': jobs,
  'backup:pick-output': backup,
  'drives:backup': backup,
  'iso:plan-create': authoring,
  'iso:create': authoring,
  'iso:plan-remaster': authoring,
  'iso:remaster': authoring,
  'iso:pick-output': authoring,
  'iso:pick-sources': authoring,
  'files:places': files,
  'files:list': files,
  'files:show-in-folder': image,
  'image:search': search,
  'image:extract-conflicts': search,
  'vm:host': vm,
  'vm:try': vm,
  'download:start': downloads,
  'downloads:list': downloads,
  'downloads:clear': downloads,
  'history:list': history,
  'history:export': history,
  'queue:prepare': queue,
  'queue:start': queue,
  'duplicator:prepare': queue,
  'duplicator:start': queue,
  'duplicator:stop': queue,
  'app:licence-text': app,
  'files:check-recent': files,
} satisfies { readonly [K in CallName]: () => Promise<{ readonly [P in K]: Handler<P> }> };

async function handlerOf<K extends CallName>(name: K): Promise<Handler<K>> {
  // The satisfies clause above checks, call by call, that this area's table holds a Handler<K> under `name`.
  const load = handlerAreas[name] as () => Promise<{ readonly [P in K]: Handler<P> }>;
  return (await load())[name];
}

/**
 * The parser a service uses unless given one, loaded at its first parse: the CLI's in-process parser,
 * else the process's parse worker pool. Either brings every image reader (parse-jobs.ts), which a
 * call that parses no image (`isotope create`, `--version`) then never loads.
 */
function defaultImageParser(shell: ShellKind): ImageParser {
  const load = (): Promise<ImageParser> =>
    shell === 'cli'
      ? import('../isolation/image-parser.ts').then((module) => module.inProcessImageParser)
      : import('../isolation/parse-worker-pool.ts').then((module) => module.sharedParseWorkerPool());
  let loading: Promise<ImageParser> | undefined;
  return {
    async run<K extends ParseJobName>(job: K, request: ParseJobRequest<K>, runOptions?: ParseRunOptions<K>): Promise<ParseJobResponse<K>> {
      const parser = await (loading ??= load());
      return parser.run(job, request, runOptions);
    },
  };
}

export function createService(options: ServiceOptions): Service {
  const events = createEventHub();
  const log: Logger = options.log ?? ((message, error) => console.error(`[isotope] ${message}:`, error));
  const parser = options.imageParser ?? defaultImageParser(options.shell);
  const context: HandlerContext = { options, events, parser, confirmations: createConfirmations(options.clock), jobs: new JobRegistry(), log };

  async function call<K extends CallName>(name: K, request: unknown): Promise<Result<CallResponse<K>>> {
    const parsed = validateRequest(name, request);
    if (!parsed.ok) return fail({ code: 'invalid-request', message: `${name}: ${parsed.reasons.join('; ')}` });
    try {
      // The schema table is keyed like the handler table, so the parsed value fits this handler.
      const handler = await handlerOf(name);
      return ok(await handler(parsed.value as CallRequest<K>, context));
    } catch (error) {
      return fail(toAppError(error, log));
    }
  }

  return {
    events,
    log,
    // The flash engine loads with the first job, as the flash calls' handlers do.
    startTerminalJob: async (work) => (await import('./handlers/flash-handlers.ts')).startFlashJob(context, work),
    startTerminalQueue: async (order, pairs, stop) => (await import('./queue-run.ts')).runQueue(context, order, pairs, stop),
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
