// Types for unbzip2-stream (it ships none): a factory for a through stream that decodes bzip2.
declare module 'unbzip2-stream' {
  import type { Transform } from 'node:stream';
  export default function createBunzip2(): Transform;
}
