// The certificates a TLS connection trusts: Node's bundled Mozilla roots, the operating system's
// bundle where one is readable (Linux distributions add their own and the administrator's CAs there;
// Node 20 reads neither it nor a system keychain unless started with --use-openssl-ca), and a caller's
// extra PEM (tests hand their own CA; a user's corporate CA could come the same way). One secure
// context per extra PEM is built once: handing `ca` to every connection would parse ~150 roots each time.
import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/** Where distributions keep the system bundle: SSL_CERT_FILE (OpenSSL's own override), Debian/Ubuntu/Arch, Fedora/RHEL, Alpine/macOS. */
function systemBundleCandidates(env: NodeJS.ProcessEnv): string[] {
  const override = env.SSL_CERT_FILE;
  return [...(override ? [override] : []), '/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
}

let systemBundle: string | null | undefined;

/** The first readable system bundle (PEM text), read once per process; null when none is (Windows: Node's roots only). */
function readSystemBundle(): string | null {
  if (systemBundle !== undefined) return systemBundle;
  systemBundle = null;
  for (const path of systemBundleCandidates(process.env)) {
    try {
      systemBundle = readFileSync(path, 'utf8');
      break;
    } catch {
      // Not on this system: the next candidate.
    }
  }
  return systemBundle;
}

const contexts = new Map<string, SecureContext>();

/** The secure context trusting Node's roots, the system bundle and `extraCaPem`. */
export function trustedContext(extraCaPem: string | undefined): SecureContext {
  const key = extraCaPem ?? '';
  let context = contexts.get(key);
  if (context === undefined) {
    const system = readSystemBundle();
    context = createSecureContext({ ca: [...rootCertificates, ...(system === null ? [] : [system]), ...(extraCaPem ? [extraCaPem] : [])] });
    contexts.set(key, context);
  }
  return context;
}
