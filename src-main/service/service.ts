// The engine behind the contract: one handler per call. Shells (Electron, web, CLI) call `invoke`
// with whatever arrived over their transport; validation, error mapping and logging happen here,
// once, so every shell gets the same behaviour.
import type { AppDescription, ShellKind } from '../../shared/app.ts';
import type { CallName, CallRequest, CallResponse } from '../../shared/contract.ts';
import { isCallName } from '../../shared/contract.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { summarizeImage } from '../image/summarize-image.ts';
import { AppFailure } from './app-failure.ts';
import { createEventHub, type EventHub } from './event-hub.ts';
import { requestSchemas } from './request-schemas.ts';
import { toAppError, type Logger } from './to-app-error.ts';

/** What a shell provides that the engine cannot do itself. */
export interface ShellPorts {
  readonly shell: ShellKind;
  /** A native "open image" dialog; absent in shells without one (the web shell, the CLI). */
  readonly pickImageFile?: () => Promise<string | null>;
}

export interface ServiceOptions extends ShellPorts {
  readonly version: string;
  readonly log?: Logger;
}

export interface Service {
  /** Validates `request` for `method`, runs the handler, and answers with a Result; never throws. */
  invoke(method: string, request: unknown): Promise<Result<unknown>>;
  readonly events: EventHub;
}

type Handlers = { readonly [K in CallName]: (request: CallRequest<K>) => Promise<CallResponse<K>> };

export function createService(options: ServiceOptions): Service {
  const events = createEventHub();
  const log: Logger = options.log ?? ((message, error) => console.error(`[isotope] ${message}:`, error));

  const handlers = {
    'app:describe': async (): Promise<AppDescription> => ({
      name: 'Isotope',
      version: options.version,
      shell: options.shell,
      canPickFiles: options.pickImageFile !== undefined,
      platform: process.platform,
    }),
    'image:pick': async () => {
      if (!options.pickImageFile) throw new AppFailure('unsupported', `the ${options.shell} shell has no file dialog`);
      return { path: await options.pickImageFile() };
    },
    'image:open': async ({ path }) => {
      const summary = await summarizeImage(path);
      events.emit('image:opened', summary);
      return summary;
    },
  } satisfies Handlers;

  return {
    events,
    async invoke(method, request) {
      if (!isCallName(method)) {
        return fail({ code: 'unknown-call', message: `no call named ${JSON.stringify(method).slice(0, 100)}` });
      }
      const parsed = requestSchemas[method].safeParse(request);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(argument)'}: ${issue.message}`);
        return fail({ code: 'invalid-request', message: `${method}: ${issues.join('; ')}` });
      }
      try {
        // The schema table is keyed like the handler table, so the parsed value fits this handler.
        const handler = handlers[method] as (request: unknown) => Promise<unknown>;
        return ok(await handler(parsed.data));
      } catch (error) {
        return fail(toAppError(error, log));
      }
    },
  };
}
