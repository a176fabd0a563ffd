// Which proxy a URL takes from the environment (curl's rules): the scheme's variable, lower-case
// first; NO_PROXY by host name (and its subdomains), IP address, optional port, or `*`.
import { describe, expect, it } from 'vitest';
import { proxyFor } from '../../src-main/net/proxy-env.ts';
import { CodedError } from '../../src-main/jobs/errors.ts';

const https = (url: string) => new URL(url);

describe('proxyFor', () => {
  it('takes https_proxy for https URLs and http_proxy for http URLs, the lower-case spelling first', () => {
    const env = { https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128', HTTP_PROXY: 'plain:8080' };
    expect(proxyFor(https('https://example.org/a.iso'), env)).toEqual({ host: 'lower', port: 3128, authorization: null });
    expect(proxyFor(https('http://example.org/a.iso'), env)).toEqual({ host: 'plain', port: 8080, authorization: null });
    expect(proxyFor(https('http://example.org/a.iso'), { HTTPS_PROXY: 'http://p:1' })).toBeNull();
  });

  it('sends the proxy URL user and password as Basic credentials, percent-decoded', () => {
    const proxy = proxyFor(https('https://example.org/'), { HTTPS_PROXY: 'http://me:s%3Acret@proxy.lan' });
    expect(proxy).toEqual({ host: 'proxy.lan', port: 80, authorization: `Basic ${Buffer.from('me:s:cret').toString('base64')}` });
  });

  it('skips the proxy for hosts NO_PROXY names: exact, subdomains, a leading dot, a port, an IP, or *', () => {
    const through = (url: string, noProxy: string) => proxyFor(https(url), { HTTPS_PROXY: 'http://p:1', NO_PROXY: noProxy }) !== null;
    expect(through('https://example.org/', 'example.org')).toBe(false);
    expect(through('https://mirror.example.org/', 'example.org')).toBe(false);
    expect(through('https://mirror.example.org/', '.example.org')).toBe(false);
    expect(through('https://badexample.org/', 'example.org')).toBe(true);
    expect(through('https://example.org:8443/', 'example.org:8443')).toBe(false);
    expect(through('https://example.org/', 'example.org:8443')).toBe(true);
    expect(through('https://127.0.0.1:9/', 'localhost, 127.0.0.1')).toBe(false);
    expect(through('https://[::1]:9/', '::1')).toBe(false);
    expect(through('https://[::1]:9/', '[::1]:9')).toBe(false);
    expect(through('https://anything.example/', '*')).toBe(false);
    expect(through('https://anything.example/', '')).toBe(true);
  });

  it('names only the variable, never its value (a password), when the proxy setting is not a URL or has a bad percent escape', () => {
    for (const setting of ['http://me:s3cret@[bad', 'http://me:s3cret%zz@proxy.lan:3128', 'http://me%zz:s3cret@proxy.lan']) {
      let error: unknown = null;
      try {
        proxyFor(https('https://example.org/'), { HTTPS_PROXY: setting });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CodedError);
      expect(error).toMatchObject({ code: 'unsupported-url', message: expect.stringContaining('https_proxy') });
      expect((error as Error).message).not.toContain('s3cret');
    }
  });

  it('refuses a proxy that is not an http:// one, naming the variable, rather than going around it', () => {
    let error: unknown = null;
    try {
      proxyFor(https('https://example.org/'), { https_proxy: 'socks5://127.0.0.1:1080' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CodedError);
    expect((error as CodedError).message).toBe('https_proxy names a socks5: proxy: only http:// proxies are supported');
  });
});
