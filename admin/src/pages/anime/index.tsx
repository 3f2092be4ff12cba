import { Route } from 'react-router';
import { AnimeGenerationList } from './generations';
import { AnimeModelList } from './models';
import { AnimePresetCreate, AnimePresetEdit, AnimePresetList } from './presets';
import { AnimeTemplateCreate, AnimeTemplateEdit, AnimeTemplateList } from './templates';
import { AnimeUserList, AnimeUserShow } from './users';

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
