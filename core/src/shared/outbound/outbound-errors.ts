/**
 * The outbound policy refused a URL (scheme, credentials, a private address, a redirect, size).
 * Transport-neutral: each caller turns it into its contract's own 400 or failure text. The message
 * names the reason and never carries anything a remote server answered.
 */
export class OutboundRefusedError extends Error {
  constructor(
    message: string,
    readonly reason:
      | 'invalid_url'
      | 'scheme'
      | 'credentials'
      | 'private_address'
      | 'unresolvable'
      | 'redirect'
      | 'too_large'
      | 'timeout',
  ) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

/** The request could not be completed (connection refused, reset, TLS). The message names only the code. */
export class OutboundNetworkError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'OutboundNetworkError';
  }
}
