import { randomBytes } from 'node:crypto';
import { getAddress, isAddress, recoverMessageAddress, type Hex } from 'viem';
import { UnauthorizedError, ValidationError } from '../errors.js';
import type { PawSessionRepository } from './paw-session.repository.js';
import type { IdentityService } from '../identity/identity.service.js';
import type { Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { EphemeralStore } from '../ports/ephemeral-store.port.js';
import type { SecretBox } from '../shared/secret-box.js';
import { createHash } from 'node:crypto';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

interface Deps {
  /** Each user's live paw_ token. */
  sessions: PawSessionRepository;
  identity: IdentityService;
  store: EphemeralStore;
  secrets: SecretBox;
  clock: Clock;
  /** paw_ token lifetime (contract: 3 days). */
  tokenTtlHours: number;
  /** How long a login challenge may be signed (default 5 minutes). */
  nonceTtlMs?: number;
  appName?: string;
}

export interface WalletLogin {
  access_token: string;
  wallet_address: string;
  expires_at: string;
}

/**
 * Contract 002 login: EIP-191 personal_sign over a server-issued message with a nonce and an
 * expiry. The challenge is taken from the store atomically, so a signature works once.
 *
 * Tokens are stored hashed (IdentityService), yet a login with a live token must return that
 * token: the live paw_ token is also kept sealed (SecretBox, AES-GCM) in `paw_sessions`.
 */
export class WalletAuthService {
  constructor(private readonly deps: Deps) {}

  private normalize(address: string): `0x${string}` {
    if (!isAddress(address, { strict: false }))
      throw new ValidationError('wallet_address is not an Ethereum address');
    return getAddress(address);
  }

  async challenge(walletAddress: string): Promise<{ nonce: string; message: string; expires_at: string }> {
    const address = this.normalize(walletAddress);
    const nonce = randomBytes(16).toString('hex');
    const ttl = this.deps.nonceTtlMs ?? 5 * 60_000;
    const expiresAt = new Date(this.deps.clock.now().getTime() + ttl);
    const message = [
      `${this.deps.appName ?? 'Dreamloom'} wants you to sign in with your Ethereum account:`,
      address,
      '',
      `Nonce: ${nonce}`,
      `Expiration Time: ${expiresAt.toISOString()}`,
    ].join('\n');
    await this.deps.store.put(`wallet-nonce:${address.toLowerCase()}`, message, ttl);
    return { nonce, message, expires_at: expiresAt.toISOString() };
  }

  /** Links a wallet to the signed-in user (e.g. a Discord member), proven by a signed challenge. */
  async link(actor: Actor, walletAddress: string, signature: string): Promise<{ wallet_address: string }> {
    const address = await this.verify(walletAddress, signature);
    await this.deps.identity.linkIdentity(actor, 'wallet', address.toLowerCase(), address);
    return { wallet_address: address };
  }

  /** Consumes the address's challenge and checks the signature; returns the checksummed address. */
  private async verify(walletAddress: string, signature: string): Promise<`0x${string}`> {
    const address = this.normalize(walletAddress);
    if (!/^0x[0-9a-fA-F]+$/.test(signature)) throw new UnauthorizedError('Invalid signature');
    const message = await this.deps.store.take(`wallet-nonce:${address.toLowerCase()}`);
    if (!message) throw new UnauthorizedError('No pending login challenge; request a nonce first');
    const expiry = /Expiration Time: (\S+)/.exec(message)?.[1];
    if (!expiry || new Date(expiry).getTime() <= this.deps.clock.now().getTime())
      throw new UnauthorizedError('Login challenge expired');
    let recovered: string;
    try {
      recovered = await recoverMessageAddress({ message, signature: signature as Hex });
    } catch {
      throw new UnauthorizedError('Invalid signature');
    }
    if (recovered.toLowerCase() !== address.toLowerCase())
      throw new UnauthorizedError('Signature does not match wallet_address');
    return address;
  }

  async login(walletAddress: string, signature: string): Promise<WalletLogin> {
    const address = await this.verify(walletAddress, signature);
    const user = await this.deps.identity.provisionIdentity('wallet', address.toLowerCase(), address);
    const live = await this.liveToken(user.id);
    const now = this.deps.clock.now();
    if (live) {
      await this.deps.sessions.touch(user.id, now);
      return { access_token: live.token, wallet_address: address, expires_at: live.expiresAt.toISOString() };
    }
    const issued = await this.rotate(user);
    return {
      access_token: issued.token,
      wallet_address: address,
      expires_at: issued.expiresAt.toISOString(),
    };
  }

  /** Logout: the current token stops working and a fresh one is kept for the next login. */
  async logout(actor: Actor, currentToken: string): Promise<void> {
    await this.deps.identity.revokeToken(currentToken);
    await this.rotate(actor);
  }

  private async liveToken(userId: string): Promise<{ token: string; expiresAt: Date } | null> {
    const session = await this.deps.sessions.session(userId);
    if (!session || new Date(session.expires_at).getTime() <= this.deps.clock.now().getTime()) return null;
    const token = this.deps.secrets.open(session.token_enc);
    try {
      // Revoked or expired in access_tokens (e.g. by an admin) means not live either.
      await this.deps.identity.authenticateToken(token);
    } catch {
      return null;
    }
    return { token, expiresAt: new Date(session.expires_at) };
  }

  private async rotate(user: Actor) {
    const issued = await this.deps.identity.issueToken(user, 'paw', this.deps.tokenTtlHours, 'paw');
    const now = this.deps.clock.now();
    const fields = {
      token_hash: sha256(issued.token),
      token_enc: this.deps.secrets.seal(issued.token),
      expires_at: issued.expiresAt,
      last_login_at: now,
    };
    const existing = await this.deps.sessions.session(user.id);
    if (existing) {
      // Only one paw_ token is live per user: the previous one is revoked.
      const previous = this.deps.secrets.open(existing.token_enc);
      if (previous !== issued.token) await this.deps.identity.revokeToken(previous);
    }
    await this.deps.sessions.save({ user_id: user.id, ...fields });
    return issued;
  }
}
