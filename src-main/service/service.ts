// The engine behind the contract. Shells (Electron, web, CLI) call `invoke` with whatever arrived
// over their transport; validation, error mapping and logging happen here, once, so every shell
// behaves the same. Each area's handlers live in handlers/; this file only merges them.
import type { ShellKind } from '../../shared/app.ts';
import type { CallName } from '../../shared/contract.ts';
import { isCallName } from '../../shared/contract.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { inProcessImageParser, type ImageParser } from '../isolation/image-parser.ts';
import { sharedParseWorkerPool } from '../isolation/parse-worker-pool.ts';
import type { FlashWork } from '../flash/flash-work.ts';
import { createConfirmations, type ShellConfirm } from './confirmations.ts';
import { createEventHub, type EventHub } from './event-hub.ts';
import type { HandlerContext, HandlerTable } from './handler-types.ts';
import { appHandlers } from './handlers/app-handlers.ts';
import { assessHandlers } from './handlers/assess-handlers.ts';
import { bootHandlers } from './handlers/boot-handlers.ts';
import { checksumHandlers } from './handlers/checksum-handlers.ts';
import { driveHandlers } from './handlers/drive-handlers.ts';
import { flashHandlers, startFlashJob } from './handlers/flash-handlers.ts';
import { imageHandlers } from './handlers/image-handlers.ts';
import { validateRequest } from './request-schemas.ts';
import { toAppError, type Logger } from './to-app-error.ts';

/** What a shell provides that the engine cannot do itself. */
export interface ShellPorts {
  readonly shell: ShellKind;
  /** A native "open image" dialog; absent in shells without one (the web shell, the CLI). */
  readonly pickImageFile?: () => Promise<string | null>;
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
  /** Validates `request` for `method`, runs the handler, and answers with a Result; never throws. */
  invoke(method: string, request: unknown): Promise<Result<unknown>>;
  readonly events: EventHub;
  /**
   * Starts a flash or verify job on targets named by path (devices or regular files) without a
   * contract confirmation. For the CLI only, whose user confirmed at the terminal: it is not a
   * contract call, so no transport (IPC, WebSocket) can reach it.
   */
  startTerminalJob(work: FlashWork): { jobId: string };
}

// A call missing from this table is a compile error.
const handlers = { ...appHandlers, ...imageHandlers, ...bootHandlers, ...assessHandlers, ...checksumHandlers, ...driveHandlers, ...flashHandlers } satisfies HandlerTable<CallName>;

export function createService(options: ServiceOptions): Service {
  const events = createEventHub();
  const log: Logger = options.log ?? ((message, error) => console.error(`[isotope] ${message}:`, error));
  const parser = options.imageParser ?? (options.shell === 'cli' ? inProcessImageParser : sharedParseWorkerPool());
  const context: HandlerContext = { options, events, parser, confirmations: createConfirmations(options.clock) };

  return {
    events,
    startTerminalJob: (work) => startFlashJob(context, work),
    async invoke(method, request) {
      if (!isCallName(method)) {
        return fail({ code: 'unknown-call', message: `no call named ${JSON.stringify(method).slice(0, 100)}` });
      }
      const parsed = validateRequest(method, request);
      if (!parsed.ok) return fail({ code: 'invalid-request', message: `${method}: ${parsed.reasons.join('; ')}` });
      try {
        // The schema table is keyed like the handler table, so the parsed value fits this handler.
        const handler = handlers[method] as (request: unknown, context: HandlerContext) => Promise<unknown>;
        return ok(await handler(parsed.value, context));
      } catch (error) {
        return fail(toAppError(error, log));
      }
    },
  };
}
