import {
  linkWalletBody,
  linkWalletResponse,
  logoutResponse,
  walletLoginBody,
  walletLoginResponse,
  walletNonceBody,
  walletNonceResponse,
} from '@dreamloom/contracts';
import type { ApiRegistry } from '../http/api-registry.js';
import { actorOf, storyRouter } from './story-shared.js';

/** Contract 002 wallet login (EIP-191 personal_sign over a server-issued challenge). */
export function storyAuthRoutes(registry: ApiRegistry) {
  const router = storyRouter();
  registry.add(router, {
    method: 'post',
    path: '/api/v1/auth/nonce',
    tag: 'story-auth',
    summary: 'Get the message to sign (nonce + expiry, valid 5 minutes, usable once)',
    body: walletNonceBody,
    response: walletNonceResponse,
    handler: (ctx, { body }) => ctx.core.story.wallet.challenge(body.wallet_address),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/auth/login',
    tag: 'story-auth',
    summary: 'Log in with a wallet signature of the challenge; returns a paw_ token valid 3 days',
    body: walletLoginBody,
    response: walletLoginResponse,
    handler: (ctx, { body }) => ctx.core.story.wallet.login(body.wallet_address, body.signature),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/auth/link-wallet',
    tag: 'story-auth',
    summary: 'Link a wallet to the signed-in user (a bot member), proven by a signed challenge',
    role: 'user',
    body: linkWalletBody,
    response: linkWalletResponse,
    handler: async (ctx, { actor, body }) => ({
      ...(await ctx.core.story.wallet.link(actorOf(actor), body.wallet_address, body.signature)),
      linked: true,
    }),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/auth/logout',
    tag: 'story-auth',
    summary: 'Invalidate the current token (a new one is issued at the next login)',
    role: 'user',
    response: logoutResponse,
    handler: async (ctx, { actor }) => {
      if (ctx.state.token) await ctx.core.story.wallet.logout(actorOf(actor), ctx.state.token);
      return { message: 'Successfully logged out' };
    },
  });
  return router;
}
