/** A scripted NTP server on loopback (UDP, port 0) whose clock runs a known offset ahead of ours. */
import { createSocket, type Socket } from 'node:dgram';
import { writeTimestamp } from '../../engine/load/sntp.js';

export type NtpBehaviour = 'good' | 'wrong-origin' | 'kiss-of-death' | 'unsynchronised';

export interface FakeNtp {
  readonly port: number;
  behaviour: NtpBehaviour;
  requests: number;
  close(): Promise<void>;
}

/** An NTP server whose clock is `offsetMs` ahead of ours; `behaviour` can be changed between requests. */
export async function fakeNtp(offsetMs: number): Promise<FakeNtp> {
  const socket: Socket = createSocket('udp4');
  const server: FakeNtp = {
    port: 0,
    behaviour: 'good',
    requests: 0,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (msg, from) => {
    server.requests++;
    const reply = Buffer.alloc(48);
    reply[0] = ((server.behaviour === 'unsynchronised' ? 3 : 0) << 6) | (4 << 3) | 4;
    reply[1] = server.behaviour === 'kiss-of-death' ? 0 : 2;
    if (server.behaviour === 'kiss-of-death') reply.write('RATE', 12, 'latin1');
    // Origin: the client's transmit time, echoed (or something else).
    if (server.behaviour === 'wrong-origin') writeTimestamp(reply, 24, 12345);
    else msg.copy(reply, 24, 40, 48);
    writeTimestamp(reply, 32, Date.now() + offsetMs);
    writeTimestamp(reply, 40, Date.now() + offsetMs);
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return Object.assign(server, { port: socket.address().port });
}
