import { describe, expect, it } from 'vitest';
import { checkRequest, readCookie, tokenCookieName } from '../../src-main/web/request-guard.ts';

const settings = { port: 4321, token: 'a'.repeat(64) };
const good = {
  host: '127.0.0.1:4321',
  origin: undefined,
  queryToken: settings.token,
  cookieToken: null,
  requireOrigin: false,
};

describe('web shell request guard', () => {
  it('lets in a request naming our host with the token in the query or the cookie', () => {
    expect(checkRequest(settings, good)).toEqual({ allowed: true });
    expect(checkRequest(settings, { ...good, host: 'localhost:4321' })).toEqual({ allowed: true });
    expect(checkRequest(settings, { ...good, queryToken: null, cookieToken: settings.token })).toEqual({ allowed: true });
    expect(checkRequest(settings, { ...good, origin: 'http://127.0.0.1:4321', requireOrigin: true })).toEqual({ allowed: true });
  });

  it.each([
    ['no token', { queryToken: null }, 'token missing'],
    ['a wrong token of the same length', { queryToken: 'b'.repeat(64) }, 'token wrong'],
    ['a prefix of the token', { queryToken: 'a'.repeat(63) }, 'token wrong'],
    ['a rebinding host name', { host: 'evil.example:4321' }, 'Host'],
    ['our host on another port', { host: '127.0.0.1:80' }, 'Host'],
    ['no Host header', { host: undefined }, 'Host'],
    ['a foreign origin', { origin: 'http://evil.example' }, 'Origin'],
    ['our host on another port as origin', { origin: 'http://127.0.0.1:4322' }, 'Origin'],
    ['a null origin (sandboxed iframe, file://)', { origin: 'null' }, 'Origin'],
    ['a WebSocket upgrade without an origin', { requireOrigin: true }, 'Origin header missing'],
  ])('refuses %s', (_case, change, reason) => {
    const verdict = checkRequest(settings, { ...good, ...change });
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toContain(reason);
  });

  it('reads its own cookie, whose name carries the port, among others', () => {
    const name = tokenCookieName(4321);
    expect(name).toBe('isotope_token_4321');
    expect(readCookie(`theme=dark; ${name}=abc; other=1`, name)).toBe('abc');
    expect(readCookie('isotope_token_4322=abc', name)).toBeNull();
    expect(readCookie(undefined, name)).toBeNull();
  });
});
