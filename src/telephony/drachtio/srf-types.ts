/**
 * The slice of drachtio-srf 5.0.29 this engine uses, typed from its source (lib/srf.js,
 * lib/dialog.js, lib/request.js) because its bundled typings are wrong in places
 * (`connect()` returns the app, `request()` takes `(uri, opts)`, `createUAC` takes callbacks).
 */
import type { EventEmitter } from 'node:events';

export interface SipMessageLike {
  get(name: string): string | undefined;
  has(name: string): boolean;
  getParsedHeader(name: string): any;
  readonly body: string;
  readonly uri: string;
  readonly method: string;
  readonly callId: string;
}

export interface SrfRequest extends SipMessageLike, EventEmitter {
  readonly source_address: string;
  readonly source_port: number;
  readonly protocol: string;
  readonly stackTxnId: string;
  readonly stackDialogId: string;
  cancel(opts?: object, callback?: (err: Error | null) => void): void;
}

export interface SrfResponse extends EventEmitter {
  readonly status: number;
  readonly reason: string;
  readonly finalResponseSent: boolean;
  get(name: string): string | undefined;
  has(name: string): boolean;
  getParsedHeader(name: string): any;
  readonly body: string;
  send(status: number, reason?: string | object, opts?: object, callback?: (err: unknown) => void): void;
}

export interface SrfDialog extends EventEmitter {
  readonly id: string;
  readonly connected: boolean;
  readonly sip: { callId: string; localTag: string; remoteTag: string };
  readonly local: { uri: string; sdp: string };
  readonly remote: { uri: string; sdp: string };
  destroy(opts?: { headers?: Record<string, string> }): Promise<unknown>;
  request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<SrfResponse>;
  modify(sdp: string): Promise<string>;
}

export interface SipAuth { username: string; password: string }

export interface UacOptions {
  localSdp: string;
  headers?: Record<string, string>;
  proxy?: string;
  auth?: SipAuth;
}

export interface UacCallbacks {
  cbRequest?: (err: Error | null, req: SrfRequest) => void;
  cbProvisional?: (res: SrfResponse) => void;
}

export interface SrfRequestOptions {
  method: string;
  /** drachtio-server's id of the INVITE transaction a CANCEL ends. */
  stackTxnId?: string;
  headers?: Record<string, string>;
  body?: string;
  auth?: SipAuth;
  proxy?: string;
}

/** drachtio-srf's `SipError` carries the final status of a failed request. */
export interface SipErrorLike extends Error { status?: number; reason?: string }

export interface SrfLike extends EventEmitter {
  connect(opts: {
    host: string; port: number; secret: string;
    reconnect?: { retryMaxDelay?: number };
  }): unknown;
  disconnect(): void;
  invite(handler: (req: SrfRequest, res: SrfResponse) => void): void;
  createUAS(req: SrfRequest, res: SrfResponse, opts: { localSdp: string; headers?: Record<string, string> }): Promise<SrfDialog>;
  createUAC(uri: string, opts: UacOptions, callbacks?: UacCallbacks): Promise<SrfDialog>;
  request(uri: string, opts: SrfRequestOptions): Promise<SrfRequest>;
}
