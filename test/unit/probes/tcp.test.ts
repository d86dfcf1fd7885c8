import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProbe } from '../../../src/probes/tcp.js';
import { fakeTarget } from './fake-target.js';

async function listen(onConnection: (socket: net.Socket) => void): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

let open: { server: net.Server; port: number };
let slammer: { server: net.Server; port: number };
let greeter: { server: net.Server; port: number };

beforeAll(async () => {
  open = await listen(() => undefined);
  // What docker-proxy does when nothing listens inside the container: accept, then close.
  slammer = await listen((socket) => socket.destroy());
  greeter = await listen((socket) => socket.end('220 hello\r\n'));
});
afterAll(() => {
  for (const { server } of [open, slammer, greeter]) server.close();
});

const signal = (): AbortSignal => AbortSignal.timeout(5000);

describe('TcpProbe', () => {
  it('passes when the connection is accepted and stays open', async () => {
    await new TcpProbe({ kind: 'tcp', port: 5432 }).check(fakeTarget({ 5432: open.port }), signal());
  });

  it('passes at once when the server speaks first', async () => {
    const started = performance.now();
    await new TcpProbe({ kind: 'tcp', port: 25 }, { tcpSettleMs: 5000 }).check(fakeTarget({ 25: greeter.port }), signal());
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('fails when the connection is accepted and closed at once (docker-proxy with nothing behind it)', async () => {
    await expect(new TcpProbe({ kind: 'tcp', port: 5432 }).check(fakeTarget({ 5432: slammer.port }), signal())).rejects.toThrow(
      `tcp 127.0.0.1:${slammer.port}: connection accepted, then closed at once — nothing listens on container port 5432 yet`,
    );
  });

  it('reports a refused connection and describes itself', async () => {
    const gone = await listen(() => undefined);
    gone.server.close();
    const probe = new TcpProbe({ kind: 'tcp', port: 6379 });
    await expect(probe.check(fakeTarget({ 6379: gone.port }), signal())).rejects.toThrow(`tcp 127.0.0.1:${gone.port}: connection refused (ECONNREFUSED)`);
    expect(probe.describe(fakeTarget({ 6379: gone.port }))).toBe(`tcp connect to 127.0.0.1:${gone.port}`);
    expect(probe.describe(fakeTarget({}))).toBe('tcp connect to 127.0.0.1:? (container port 6379, not published)');
  });
});
