// liblzma's decoder (node-liblzma's engine, used raw): lzma_code on libuv's thread pool, straight into
// the caller's buffer. liblzma stops when that buffer is full (a bounded avail_out), so memory stays
// bounded however far the data expands (LZMA2 turns a few KiB into many MiB of zeros), which a
// Transform stream would push out in one go, whatever its highWaterMark. In a worker thread (the parse
// workers) each step runs synchronously instead: a worker terminated while liblzma works on the thread
// pool (its time budget, a spare worker let go after its answer) makes node-addon-api call back into a
// dying environment, and that aborts the whole process ("FATAL ERROR: Error::ThrowAsJavaScriptException
// napi_throw"), taking the web shell down with it. A worker is a thread of its own: blocking it is free.
import { isMainThread } from 'node:worker_threads';
import { createUnxz, LZMAErrorMessage } from 'node-liblzma';

export { LZMA_FINISH, LZMA_OK, LZMA_RUN, LZMA_STREAM_END } from 'node-liblzma';

/** The engine under node-liblzma's Transform (`lzma`, not in its typings). */
interface RawEngine {
  code(
    flush: number,
    input: Uint8Array,
    inputOffset: number,
    inputAvailable: number,
    output: Uint8Array,
    outputOffset: number,
    done: (errno: number, inputLeft: number, outputLeft: number) => void,
  ): void;
  /** The same step on this thread: [errno, inputLeft, outputLeft]. */
  codeSync(flush: number, input: Uint8Array, inputOffset: number, inputAvailable: number, output: Uint8Array, outputOffset: number): [number, number, number];
  close(): void;
}

export interface LzmaStep {
  readonly errno: number;
  /** Input bytes liblzma did not take (from the end of the range given). */
  readonly inputLeft: number;
  /** Output bytes left unfilled (from the end of the range given). */
  readonly outputLeft: number;
}

export interface LzmaDecoder {
  /** One lzma_code call: input[inputOffset, inputOffset + inputLength) into output[outputOffset, end). */
  code(flush: number, input: Uint8Array, inputOffset: number, inputLength: number, output: Uint8Array, outputOffset: number): Promise<LzmaStep>;
  close(): void;
}

/** A new .xz stream decoder (lzma_stream_decoder: it checks headers, block sizes and the integrity checks). */
export function createLzmaDecoder(): LzmaDecoder {
  const engine = (createUnxz() as unknown as { lzma?: Partial<RawEngine> }).lzma;
  if (typeof engine?.code !== 'function' || typeof engine.codeSync !== 'function' || typeof engine.close !== 'function')
    throw new Error('node-liblzma no longer exposes its engine: update compression/lzma-engine.ts');
  const raw = engine as RawEngine;
  let closed = false;
  return {
    code: (flush, input, inputOffset, inputLength, output, outputOffset) => {
      if (!isMainThread) {
        const [errno, inputLeft, outputLeft] = raw.codeSync(flush, input, inputOffset, inputLength, output, outputOffset);
        return Promise.resolve({ errno, inputLeft, outputLeft });
      }
      return new Promise((resolve) =>
        raw.code(flush, input, inputOffset, inputLength, output, outputOffset, (errno, inputLeft, outputLeft) => resolve({ errno, inputLeft, outputLeft })),
      );
    },
    close() {
      if (closed) return;
      closed = true;
      raw.close();
    },
  };
}

/** liblzma's words for an error number. */
export function lzmaErrorMessage(errno: number): string {
  return Object.values(LZMAErrorMessage)[errno] ?? `liblzma error ${errno}`;
}
