/** drachtio-fsmrf 4.1.2 ships no types; the few members FsmrfMediaServer uses. */
declare module 'drachtio-fsmrf' {
  import type { EventEmitter } from 'node:events';

  export interface FsEndpoint extends EventEmitter {
    readonly uuid: string;
    readonly local: { sdp: string };
    modify(sdp: string): Promise<unknown>;
    forkAudioStart(opts: object): Promise<void>;
    forkAudioStop(bugname?: string): Promise<void>;
    execute(app: string, arg: string): Promise<unknown>;
    api(command: string, args: string): Promise<{ getBody(): string } | undefined>;
    bridge(other: FsEndpoint): Promise<unknown>;
    destroy(): Promise<void>;
  }

  export interface FsMediaServer extends EventEmitter {
    connectCaller(req: unknown, res: unknown, opts?: object): Promise<{ endpoint: FsEndpoint; dialog: unknown }>;
    createEndpoint(opts?: object): Promise<FsEndpoint>;
    /** An ESL API command; resolves with the reply body. */
    api(command: string): Promise<string>;
    disconnect(): void;
  }

  export default class Mrf {
    constructor(srf: unknown, opts?: object);
    connect(opts: { address: string; port: number; secret: string; listenAddress?: string; listenPort?: number; advertisedAddress?: string }): Promise<FsMediaServer>;
  }
}
