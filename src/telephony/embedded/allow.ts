/** Methods we accept inside a dialog: the Allow header of every 2xx to INVITE, OPTIONS and 405. */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, REFER, UPDATE';
