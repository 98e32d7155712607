/** Where a request came from, as sessions and the audit trail record it (http/ reads it
 *  off the request). */
export interface ClientContext {
  /** The client's address as TRUST_PROXY lets Express believe it. */
  ip: string | null;
  userAgent: string | null;
}

/** A client signing in: also its address as limits count it (an IPv6 client by its /48,
 *  which one site owns as a whole). */
export interface SignInClient extends ClientContext {
  addressKey: string;
}
