// `queue:*` and `duplicator:*` (issue 19): a queue of (image, drive) pairs under one confirmation,
// and duplicator mode. The plans and runs live in service/queue-run.ts and service/duplicator.ts.
import { confirmDuplicator, prepareDuplicator, startDuplicator, stopDuplicator } from '../duplicator.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import { confirmQueue, prepareQueue, runQueue } from '../queue-run.ts';
import type { PlanOptions } from '../flash-plan.ts';
import { judgeInWorker } from './assess-handlers.ts';

function planOptions({ options, confirmations, parser }: HandlerContext): PlanOptions {
  return { confirmations, shellConfirm: options.confirmDestructive, judgeImage: judgeInWorker(parser), parser };
}

export const queueHandlers: HandlerTable<'queue:prepare' | 'queue:start' | 'duplicator:prepare' | 'duplicator:start' | 'duplicator:stop'> = {
  'queue:prepare': (request, context) => prepareQueue(request, planOptions(context)),
  'queue:start': async (request, context) => {
    const { order, pairs } = await confirmQueue(request, planOptions(context));
    return runQueue(context, order, pairs);
  },
  'duplicator:prepare': (request, context) => prepareDuplicator(request, planOptions(context)),
  'duplicator:start': async (request, context) => startDuplicator(context, await confirmDuplicator(request, planOptions(context))),
  'duplicator:stop': async ({ duplicatorId }) => stopDuplicator(duplicatorId),
};
