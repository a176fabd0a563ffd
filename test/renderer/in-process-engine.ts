// An EngineClient for the renderer's state classes in tests: the web shell's own service, in this
// process, behind the same typed calls and events the WebSocket transport carries. No mock: every
// answer is the engine's, read from real images.
import type { EngineClient } from '../../src-renderer/api.ts';
import { createService, type Service } from '../../src-main/service/service.ts';

export function inProcessEngine(): { client: EngineClient; service: Service } {
  const service = createService({ shell: 'web', version: '0.0.0-test', log: () => undefined });
  const client: EngineClient = {
    call: (name, request) => service.call(name, request),
    subscribe: (name, listener) => service.on(name, listener),
    pathForFile: () => null,
  };
  return { client, service };
}
