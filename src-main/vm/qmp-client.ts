// A minimal QMP client (QEMU Machine Protocol, docs/interop/qmp-spec): one JSON object per line. QEMU
// greets first; `qmp_capabilities` leaves negotiation mode; then each command gets one `return` or
// `error` reply, with asynchronous `event` lines in between, which are skipped.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A reply line longer than this is not QMP as QEMU writes it: the connection is dropped. */
const maxLineBytes = 1024 * 1024;

export class QmpClient {
  private buffered = '';
  private readonly waiting: Array<(line: string | null) => void> = [];
  private readonly lines: string[] = [];
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.receive(text));
    socket.on('close', () => {
      this.closed = true;
      for (const resolve of this.waiting.splice(0)) resolve(null);
    });
    socket.on('error', () => socket.destroy());
  }

  /** Connects to QEMU's QMP socket (retrying while QEMU creates it, up to `timeoutMs`) and negotiates. */
  static async connect(socketPath: string, timeoutMs: number): Promise<QmpClient> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const socket = await new Promise<Socket | null>((resolve) => {
        const attempt = connect(socketPath);
        attempt.once('connect', () => resolve(attempt));
        attempt.once('error', () => resolve(null));
      });
      if (socket) {
        const client = new QmpClient(socket);
        await client.nextReply(); // the greeting: {"QMP": {...}}
        await client.execute('qmp_capabilities');
        return client;
      }
      if (performance.now() > deadline) throw new Error(`QEMU's QMP socket ${socketPath} did not accept a connection within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  private receive(text: string): void {
    this.buffered += text;
    if (this.buffered.length > maxLineBytes && !this.buffered.includes('\n')) this.socket.destroy();
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline).trim();
      this.buffered = this.buffered.slice(newline + 1);
      if (line === '') continue;
      const resolve = this.waiting.shift();
      if (resolve) resolve(line);
      else this.lines.push(line);
    }
  }

  private nextLine(): Promise<string | null> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The next line that is not an event; throws when QEMU closed the connection. */
  private async nextReply(): Promise<Record<string, unknown>> {
    for (;;) {
      const line = await this.nextLine();
      if (line === null) throw new Error('QEMU closed its QMP connection');
      const message = JSON.parse(line) as Record<string, unknown>;
      if (!('event' in message)) return message;
    }
  }

  /** Runs one command and returns its `return` value; a QMP `error` reply is thrown with its description. */
  async execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    this.socket.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    const reply = await this.nextReply();
    if ('error' in reply) throw new Error(`QMP ${command} failed: ${JSON.stringify(reply.error)}`);
    return reply.return;
  }

  close(): void {
    this.socket.destroy();
  }
}
