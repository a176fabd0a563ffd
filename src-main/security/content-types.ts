// The Content-Type of each file the built renderer is made of, for both shells that serve it. An
// unknown kind is served as opaque bytes (with nosniff, the browser will not run it).
import { extname } from 'node:path';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export function contentTypeOf(filePath: string): string {
  return contentTypes[extname(filePath)] ?? 'application/octet-stream';
}
