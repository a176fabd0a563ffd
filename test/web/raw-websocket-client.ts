// A WebSocket client written by hand over node:net, so a test can send the frames no library will:
// unmasked, reserved opcodes and bits, lengths of 2^63, bad UTF-8 (RFC 6455 5.2 is the frame layout).
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawFrame {
  readonly opcode: number;
  readonly payload: Buffer;
  readonly fin?: boolean;
  /** RSV1..RSV3 as the three bits 0b100, 0b010, 0b001. */
  readonly rsv?: number;
  /** Clients must mask every frame (RFC 6455 5.3); false sends it bare. */
  readonly masked?: boolean;
  /** Declares this payload length instead of the real one (the bytes sent stay `payload`). */
  readonly declaredLengthBytes?: bigint;
}

export function encodeRawFrame(frame: RawFrame): Buffer {
  const declared = frame.declaredLengthBytes ?? BigInt(frame.payload.length);
  const masked = frame.masked ?? true;
  const first = ((frame.fin ?? true) ? 0x80 : 0) | ((frame.rsv ?? 0) << 4) | frame.opcode;
  let header: Buffer;
  if (declared < 126n) {
    header = Buffer.from([first, Number(declared)]);
  } else if (declared < 65536n) {
    header = Buffer.alloc(4);
    header.writeUInt8(first, 0);
    header.writeUInt8(126, 1);
    header.writeUInt16BE(Number(declared), 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(first, 0);
    header.writeUInt8(127, 1);
    header.writeBigUInt64BE(declared, 2);
  }
  if (!masked) return Buffer.concat([header, frame.payload]);
  header[1] = (header[1] as number) | 0x80;
  const mask = randomBytes(4);
  const body = Buffer.from(frame.payload);
  for (let at = 0; at < body.length; at += 1) body[at] = (body[at] as number) ^ (mask[at % 4] as number);
  return Buffer.concat([header, mask, body]);
}

export interface RawConnection {
  readonly socket: Socket;
  /** Resolves when the server closes the TCP connection, with the close code of its close frame (null if it sent none). */
  readonly closed: Promise<number | null>;
}

/** Connects, completes the opening handshake offering `protocols`, and rejects unless the answer is 101. */
export function openRawWebSocket(port: number, headers: Record<string, string>): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let upgraded = false;
    let resolveClosed: (code: number | null) => void = () => undefined;
    const closed = new Promise<number | null>((settle) => (resolveClosed = settle));
    socket.on('error', () => undefined); // a reset is one way a server closes; `closed` reports it
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (upgraded) return;
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = received.subarray(0, end).toString('latin1');
      received = received.subarray(end + 4);
      if (!head.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
        return;
      }
      upgraded = true;
      resolve({ socket, closed });
    });
    socket.on('close', () => resolveClosed(closeCodeOf(received)));
    const lines = [
      'GET /rpc HTTP/1.1',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** The status code of the first close frame (opcode 8) among the server's frames, if any. */
function closeCodeOf(frames: Buffer): number | null {
  let at = 0;
  while (at + 2 <= frames.length) {
    const opcode = (frames[at] as number) & 0x0f;
    let length = (frames[at + 1] as number) & 0x7f;
    let payloadAt = at + 2;
    if (length === 126) {
      length = frames.readUInt16BE(at + 2);
      payloadAt = at + 4;
    } else if (length === 127) {
      length = Number(frames.readBigUInt64BE(at + 2));
      payloadAt = at + 10;
    }
    if (opcode === 8) return length >= 2 ? frames.readUInt16BE(payloadAt) : null;
    at = payloadAt + length;
  }
  return null;
}
