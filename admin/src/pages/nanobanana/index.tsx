import { Route } from 'react-router';
import { lazyPage } from '../../lazy-page';

// The gallery's screens (tasks.tsx) load on first use (App.tsx wraps the layout's outlet in PageSuspense).
const NanobananaTaskList = lazyPage(() => import('./tasks'), 'NanobananaTaskList');
const NanobananaTaskShow = lazyPage(() => import('./tasks'), 'NanobananaTaskShow');

/** Routes of the NanoBanana gallery. */
export function nanobananaRoutes() {
  return (
    <Route path="/nanobanana">
      <Route index element={<NanobananaTaskList />} />
      <Route path="show/:id" element={<NanobananaTaskShow />} />
    </Route>
  );
}
