import { describe, expect, it } from 'vitest';
import { checkRequest, presentedTokenOf, type RequestFacts } from '../../src-main/web/request-guard.ts';

const settings = { port: 4321, token: 'a'.repeat(64) };
const api: RequestFacts = { host: '127.0.0.1:4321', origin: 'http://127.0.0.1:4321', kind: 'api', presentedToken: settings.token };
const asset: RequestFacts = { host: '127.0.0.1:4321', origin: undefined, kind: 'asset', presentedToken: null };

describe('web shell request guard', () => {
  it('lets in a contract upgrade naming our host and origin with the token', () => {
    expect(checkRequest(settings, api)).toEqual({ allowed: true });
    expect(checkRequest(settings, { ...api, host: 'localhost:4321', origin: 'http://localhost:4321' })).toEqual({ allowed: true });
  });

  it('serves the static files to our host without a token: they hold no secret', () => {
    expect(checkRequest(settings, asset)).toEqual({ allowed: true });
    expect(checkRequest(settings, { ...asset, origin: 'http://127.0.0.1:4321' })).toEqual({ allowed: true });
  });

  it.each([
    ['no token', { presentedToken: null }, 'token missing'],
    ['a wrong token of the same length', { presentedToken: 'b'.repeat(64) }, 'token wrong'],
    ['a prefix of the token', { presentedToken: 'a'.repeat(63) }, 'token wrong'],
    ['a rebinding host name', { host: 'evil.example:4321' }, 'Host'],
    ['our host on another port', { host: '127.0.0.1:80' }, 'Host'],
    ['no Host header', { host: undefined }, 'Host'],
    ['a foreign origin', { origin: 'http://evil.example' }, 'Origin'],
    ['our host on another port as origin', { origin: 'http://127.0.0.1:4322' }, 'Origin'],
    ['a null origin (sandboxed iframe, file://)', { origin: 'null' }, 'Origin'],
    ['no origin', { origin: undefined }, 'Origin header missing'],
  ])('refuses a contract upgrade with %s', (_case, change, reason) => {
    const verdict = checkRequest(settings, { ...api, ...change });
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toContain(reason);
  });

  it.each([
    ['a rebinding host name', { host: 'evil.example:4321' }, 'Host'],
    ['a foreign origin', { origin: 'http://evil.example' }, 'Origin'],
  ])('refuses a static file request with %s', (_case, change, reason) => {
    const verdict = checkRequest(settings, { ...asset, ...change });
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toContain(reason);
  });

  it('reads the token from the offered subprotocols, whatever their order and spacing', () => {
    expect(presentedTokenOf('isotope.v1, isotope.token.abc')).toBe('abc');
    expect(presentedTokenOf('isotope.token.abc,isotope.v1')).toBe('abc');
    expect(presentedTokenOf('isotope.v1')).toBeNull();
    expect(presentedTokenOf(undefined)).toBeNull();
  });
});
