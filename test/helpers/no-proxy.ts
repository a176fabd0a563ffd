// Tests talk to their own servers on 127.0.0.1; an ambient proxy setting (a CI runner's HTTPS_PROXY)
// must never carry those requests, or a test would fail for the runner's network, not the code. The
// engine reads the variables net/proxy-env.ts names (each in lower and upper case); ALL_PROXY too, for
// the tools a spawned engine may run. (No vitest import: Playwright's app server uses it too.)
export const proxyVariables: readonly string[] = ['https_proxy', 'http_proxy', 'no_proxy', 'all_proxy'].flatMap((name) => [name, name.toUpperCase()]);

/** `env` without any proxy variable: the environment for an engine, app or CLI a test spawns. */
export function withoutProxy(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !proxyVariables.includes(name)));
}
