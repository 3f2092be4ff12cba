import type { AuthProvider } from '@refinedev/core';
import type { ActorView, StaffLoginData } from '@dreamloom/contracts';
import { isHttpError, request, tokenStore } from './api-client';

/** The signed-in staff member (`user` of /api/v1/staff/auth/login and /me). */
export type StaffUser = ActorView;

export interface LoginParams {
  username: string;
  password: string;
}

export const LOGIN_PATH = '/login';
export const HOME_PATH = '/';

/**
 * Staff auth against /api/v1/staff/auth. The token lives in localStorage; the first `check` of a
 * page load asks the server (`/me`) so an expired or rotated token sends staff to the login page
 * instead of a wall of 401 notifications. Later checks reuse that answer until a 401 resets it.
 */
export function createAuthProvider(): AuthProvider {
  let identity: Promise<StaffUser | null> | null = null;

  const loadIdentity = (): Promise<StaffUser | null> => {
    if (!tokenStore.get()) return Promise.resolve(null);
    identity ??= request<{ user: StaffUser }>('/api/v1/staff/auth/me')
      .then(({ data }) => data?.user ?? null)
      .catch((error: unknown) => {
        identity = null;
        if (isHttpError(error) && (error.statusCode === 401 || error.statusCode === 403)) {
          tokenStore.clear();
          return null;
        }
        throw error;
      });
    return identity;
  };

  return {
    login: async ({ username, password }: LoginParams) => {
      try {
        const { data } = await request<StaffLoginData>('/api/v1/staff/auth/login', {
          method: 'POST',
          body: { username, password },
        });
        tokenStore.set(data.token);
        identity = Promise.resolve(data.user);
        return { success: true, redirectTo: HOME_PATH };
      } catch (error) {
        const message = isHttpError(error) ? error.message : String(error);
        return { success: false, error: { name: 'Login failed', message } };
      }
    },

    logout: async () => {
      try {
        if (tokenStore.get()) await request('/api/v1/staff/auth/logout', { method: 'POST' });
      } catch {
        // The token may already be dead; logging out locally is what matters.
      }
      tokenStore.clear();
      identity = null;
      return { success: true, redirectTo: LOGIN_PATH };
    },

    check: async () => {
      try {
        const user = await loadIdentity();
        if (user) return { authenticated: true };
      } catch {
        // Server unreachable: keep the session; pages will show the network error.
        if (tokenStore.get()) return { authenticated: true };
      }
      return { authenticated: false, logout: true, redirectTo: LOGIN_PATH };
    },

    onError: async (error: unknown) => {
      if (isHttpError(error) && error.statusCode === 401) {
        tokenStore.clear();
        identity = null;
        return { logout: true, redirectTo: LOGIN_PATH, error };
      }
      return {};
    },

    getIdentity: async () => {
      try {
        return await loadIdentity();
      } catch {
        return null;
      }
    },

    getPermissions: async () => {
      try {
        return (await loadIdentity())?.role ?? null;
      } catch {
        return null;
      }
    },
  };
}
