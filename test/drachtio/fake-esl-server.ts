import net from 'node:net';

/**
 * FreeSWITCH's event socket as drachtio-fsmrf meets it at connect time: `auth/request`,
 * `auth <password>` → `+OK accepted` (or `-ERR invalid` and a hang-up, as FreeSWITCH does),
 * then `api sofia status` listing the drachtio_mrf profile. Everything else gets `+OK`.
 */
export class FakeEslServer {
  readonly password: string;
  readonly authAttempts: string[] = [];
  readonly commands: string[] = [];
  #server: net.Server | null = null;
  readonly #sockets = new Set<net.Socket>();
  port = 0;

  constructor(password: string) { this.password = password; }

  async listen(port = 0): Promise<number> {
    const server = net.createServer((s) => this.#onSocket(s));
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', () => resolve()); });
    this.#server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #onSocket(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('Content-Type: auth/request\n\n');
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString();
      let end: number;
      while ((end = buffered.indexOf('\n\n')) !== -1) {
        const command = buffered.slice(0, end).trim();
        buffered = buffered.slice(end + 2);
        this.#onCommand(socket, command);
      }
    });
  }

  #onCommand(socket: net.Socket, command: string): void {
    if (command.startsWith('auth ')) {
      const given = command.slice(5);
      this.authAttempts.push(given);
      if (given === this.password) {
        socket.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
      } else {
        socket.write('Content-Type: command/reply\nReply-Text: -ERR invalid\n\n');
        socket.end();
      }
      return;
    }
    this.commands.push(command);
    if (command === 'api sofia status') {
      const body = [
        '                     Name          Type                                       Data      State',
        '=================================================================================================',
        '             drachtio_mrf       profile          sip:mod_sofia@127.0.0.1:5080      RUNNING (0)',
        '=================================================================================================',
        '1 profile 0 aliases', '',
      ].join('\n');
      socket.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`);
      return;
    }
    socket.write('Content-Type: command/reply\nReply-Text: +OK\n\n');
  }
}
