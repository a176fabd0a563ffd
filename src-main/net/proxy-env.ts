// The proxy a URL goes through, from the environment as curl and most Unix tools read it:
// https_proxy / HTTPS_PROXY for https URLs, http_proxy / HTTP_PROXY for http URLs (the lower-case
// spelling first), and no_proxy / NO_PROXY, a comma-separated list of host names (a name also covers
// its subdomains; a leading dot is allowed), IP addresses, optional `:port`, or `*` for every host.
// Only http:// proxies are supported (the CONNECT tunnel carries TLS end to end); a proxy URL of
// another scheme is an error naming the variable, never silently bypassed.
import { CodedError } from '../jobs/errors.ts';

export interface ProxyChoice {
  /** The proxy's host and port. */
  readonly host: string;
  readonly port: number;
  /** `Basic …` when the proxy URL carries a user name. */
  readonly authorization: string | null;
}

function variable(env: NodeJS.ProcessEnv, name: string): string | null {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === '' ? null : value.trim();
}

/** The proxy for `target`, or null for a direct connection. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): ProxyChoice | null {
  const name = target.protocol === 'https:' ? 'https_proxy' : 'http_proxy';
  const setting = variable(env, name);
  if (setting === null || isExcluded(target, variable(env, 'no_proxy'))) return null;
  let proxy: URL;
  try {
    proxy = new URL(setting.includes('://') ? setting : `http://${setting}`);
  } catch {
    // Only the variable's name: its value may hold the proxy's password.
    throw new CodedError('unsupported-url', `${name} is not a URL (its value is not shown: it may hold a password)`);
  }
  if (proxy.protocol !== 'http:') throw new CodedError('unsupported-url', `${name} names a ${proxy.protocol} proxy: only http:// proxies are supported`);
  const user = decodedUserInfo(name, proxy.username);
  const authorization = user === '' ? null : `Basic ${Buffer.from(`${user}:${decodedUserInfo(name, proxy.password)}`).toString('base64')}`;
  return { host: bareHost(proxy.hostname), port: Number(proxy.port || 80), authorization };
}

/** A proxy URL's percent-encoded user name or password, decoded; a bad escape (`%zz`) is a coded error naming only the variable. */
function decodedUserInfo(variableName: string, encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new CodedError('unsupported-url', `${variableName} has a user name or password with a bad percent escape (its value is not shown)`);
  }
}

/** A URL's host without the brackets of an IPv6 literal. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function isExcluded(target: URL, noProxy: string | null): boolean {
  if (noProxy === null) return false;
  const host = bareHost(target.hostname).toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    // `host:port` or `[v6]:port`; a bare IPv6 address has several colons and no port.
    const portMatch = entry.startsWith('[') || entry.split(':').length === 2 ? /^(.*):(\d+)$/.exec(entry) : null;
    const entryHost = bareHost((portMatch?.[1] ?? entry).replace(/^\*?\./, ''));
    if (portMatch && portMatch[2] !== port) continue;
    if (host === entryHost || host.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}
