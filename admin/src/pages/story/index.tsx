import { Route } from 'react-router';
import { lazyPage } from '../../lazy-page';
import { storyResourceConfigs } from './story-config';

// The screens load on first use (App.tsx wraps the layout's outlet in PageSuspense).
const StoryResourceList = lazyPage(() => import('./story-crud'), 'StoryResourceList');
const StoryResourceCreate = lazyPage(() => import('./story-crud'), 'StoryResourceCreate');
const StoryResourceEdit = lazyPage(() => import('./story-crud'), 'StoryResourceEdit');

/** Routes of every story catalog (list, create, edit), generated from the configs. */
export function storyRoutes() {
  return storyResourceConfigs.map((config) => (
    <Route key={config.name} path={config.route}>
      <Route index element={<StoryResourceList config={config} />} />
      {config.fields && <Route path="create" element={<StoryResourceCreate config={config} />} />}
      {config.fields && config.canEdit !== false && (
        <Route path="edit/:id" element={<StoryResourceEdit config={config} />} />
      )}
    </Route>
  ));
}
