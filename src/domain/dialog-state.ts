/**
 * Enough of a SIP dialog to end it from another process after a crash. Engines produce it
 * (`DialEvents.onDialogState`, `CallLeg.dialogState`); the call store persists it as JSON;
 * crash recovery hands it back to `Telephony.endOrphan`.
 */
export interface SipDialogState {
  /** `early`: our INVITE had no final answer yet (CANCEL ends it); `confirmed`: answered (BYE ends it). */
  phase: 'early' | 'confirmed';
  sipCallId: string;
  /** Our side as written in our requests' From (with our tag). */
  local: string;
  /** The peer as written in our requests' To (with its tag once confirmed). */
  remote: string;
  /** Highest CSeq number we have used in the dialog. */
  localSeq: number;
  /** Request-URI of in-dialog requests (early: the INVITE's Request-URI). */
  remoteTarget: string;
  routeSet: string[];
  transport: 'udp' | 'tcp';
  trunk: string | null;
  /** Early only: the INVITE's top Via (its branch names the transaction CANCEL ends) and where it went. */
  via?: string;
  target?: { address: string; port: number };
  /** Media-server channels serving the call (the drachtio engine's FreeSWITCH uuids), hung up with it. */
  mediaChannels?: string[];
  /** Early, drachtio engine: drachtio-server's id of our INVITE's transaction (its CANCEL goes through it). */
  transactionId?: string;
  /** Other dialogs of the same call, ended with it (the transferee's leg of a bridged transfer). */
  linked?: SipDialogState[];
}
