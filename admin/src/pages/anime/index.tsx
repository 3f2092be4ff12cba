import { Route } from 'react-router';
import { lazyPage } from '../../lazy-page';

// Each screen loads on first use (App.tsx wraps the layout's outlet in PageSuspense).
const AnimeGenerationList = lazyPage(() => import('./generations'), 'AnimeGenerationList');
const AnimeModelList = lazyPage(() => import('./models'), 'AnimeModelList');
const AnimePresetList = lazyPage(() => import('./presets'), 'AnimePresetList');
const AnimePresetCreate = lazyPage(() => import('./presets'), 'AnimePresetCreate');
const AnimePresetEdit = lazyPage(() => import('./presets'), 'AnimePresetEdit');
const AnimeTemplateList = lazyPage(() => import('./templates'), 'AnimeTemplateList');
const AnimeTemplateCreate = lazyPage(() => import('./templates'), 'AnimeTemplateCreate');
const AnimeTemplateEdit = lazyPage(() => import('./templates'), 'AnimeTemplateEdit');
const AnimeUserList = lazyPage(() => import('./users'), 'AnimeUserList');
const AnimeUserShow = lazyPage(() => import('./users'), 'AnimeUserShow');

/** Routes of the anime (contracts 000/001) and credits screens; see anime-resources.tsx. */
export function animeRoutes() {
  return (
    <>
      <Route path="/anime-users">
        <Route index element={<AnimeUserList />} />
        <Route path="show/:id" element={<AnimeUserShow />} />
      </Route>
      <Route path="/anime-generations" element={<AnimeGenerationList />} />
      <Route path="/anime-templates">
        <Route index element={<AnimeTemplateList />} />
        <Route path="create" element={<AnimeTemplateCreate />} />
        <Route path="edit/:id" element={<AnimeTemplateEdit />} />
      </Route>
      <Route path="/anime-presets">
        <Route index element={<AnimePresetList />} />
        <Route path="create" element={<AnimePresetCreate />} />
        <Route path="edit/:id" element={<AnimePresetEdit />} />
      </Route>
      <Route path="/anime-models" element={<AnimeModelList />} />
    </>
  );
}
