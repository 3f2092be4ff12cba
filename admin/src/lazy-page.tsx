import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import { Spin } from 'antd';

/**
 * A page loaded on first use (its own chunk, with the antd components only it needs), so the
 * login page and the layout do not download every screen. `name` is the page's export.
 */
// `any` props, as React's own `lazy` takes them: the page keeps its own props type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function lazyPage<M extends Record<K, ComponentType<any>>, K extends keyof M>(
  load: () => Promise<M>,
  name: K,
) {
  return lazy(async () => ({ default: (await load())[name] }));
}

/** Where a lazy page renders: a spinner in the content area while its chunk loads. */
export function PageSuspense({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <div style={{ display: 'flex', justifyContent: 'center', padding: 48 }}>
          <Spin />
        </div>
      }
    >
      {children}
    </Suspense>
  );
}

/**
 * Chunks are hashed and cached for a year, and a release deletes the old ones: a tab opened before
 * a release fails to load a page it had not loaded yet. Vite reports that as `vite:preloadError`;
 * reloading fetches the new index.html and its chunks. At most once a minute, so a real outage
 * shows its error instead of reloading in a loop.
 */
const RELOADED_AT = 'dreamloom.admin.reloadedForChunks';
if (typeof window !== 'undefined') {
  window.addEventListener('vite:preloadError', (event) => {
    const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0);
    if (Date.now() - last < 60_000) return;
    sessionStorage.setItem(RELOADED_AT, String(Date.now()));
    event.preventDefault();
    window.location.reload();
  });
}
