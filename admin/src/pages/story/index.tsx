import { Route } from 'react-router';
import { storyResourceConfigs } from './story-config';
import { StoryResourceCreate, StoryResourceEdit, StoryResourceList } from './story-crud';

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
