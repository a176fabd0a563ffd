// Where the vendored Secure Boot data lives (resources/secureboot/, its README gives each file's source
// and licence): read by the revocation checks (pe/revocations.ts) and by Settings › About for the
// files' licence texts (io/bundled-licences.ts).
import { fileURLToPath } from 'node:url';

/** resources/secureboot/ from the source tree; dist/secureboot/ beside the bundle (scripts/build.js copies it). */
export function secureBootDataFolder(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(fromSource ? '../../resources/secureboot/' : '../secureboot/', import.meta.url));
}
