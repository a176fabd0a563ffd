// A test certificate authority and a server certificate for 127.0.0.1 and localhost, made once by
// Debian's openssl CLI and cached in test/.cache/fixtures/ (one JSON file, so the cache's atomic
// rename publishes all three PEMs together). Tests hand `caPem` to the client as `extraCaPem`: the
// client trusts it beside the system store, exactly as a user's corporate CA would be.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixture, runTool, type FixtureRecipe } from '../fixtures/fixture-cache.ts';

export interface TestTls {
  /** The CA's certificate (PEM): the only thing a client needs to trust the server. */
  readonly caPem: string;
  /** The server's certificate (PEM), signed by the CA, for IP 127.0.0.1 and DNS localhost. */
  readonly certPem: string;
  readonly keyPem: string;
}

const serverExtensions = [
  'subjectAltName = IP:127.0.0.1, DNS:localhost',
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature',
  'extendedKeyUsage = serverAuth',
].join('\n');

const testTlsRecipe: FixtureRecipe = {
  name: 'test-tls.json',
  recipe: `openssl req -x509 -newkey ec P-256 CA (CA:TRUE, keyCertSign) 3650 days; server cert by the CA:\n${serverExtensions}\nv1`,
  build(outputPath, workDir) {
    const path = (name: string): string => join(workDir, name);
    const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    runTool('openssl', [
      'req', '-x509', ...ecKey, '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '3650',
      '-subj', '/CN=Isotope test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]); // prettier-ignore
    runTool('openssl', ['req', ...ecKey, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=localhost']);
    writeFileSync(path('server.ext'), `${serverExtensions}\n`);
    runTool('openssl', [
      'x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'),
      '-CAcreateserial', '-out', path('server.pem'), '-days', '3650', '-extfile', path('server.ext'),
    ]); // prettier-ignore
    const tls: TestTls = {
      caPem: readFileSync(path('ca.pem'), 'utf8'),
      certPem: readFileSync(path('server.pem'), 'utf8'),
      keyPem: readFileSync(path('server.key'), 'utf8'),
    };
    writeFileSync(outputPath, JSON.stringify(tls));
  },
};

/** The cached test CA and server certificate (made on first use). */
export function testTls(): TestTls {
  return JSON.parse(readFileSync(ensureFixture(testTlsRecipe), 'utf8')) as TestTls;
}
