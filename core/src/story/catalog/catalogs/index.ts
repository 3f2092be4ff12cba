/**
 * The declared catalogs, one descriptor each. Characters and stories are not among them: their
 * reads and writes depend on who owns the row and which published stories cast it (CatalogService).
 */
export { aiModels } from './ai-models.catalog.js';
export { artStyles } from './art-styles.catalog.js';
export { languages } from './languages.catalog.js';
export { music, musicTypes } from './music.catalog.js';
export { promptTemplates, promptTemplateView } from './prompt-templates.catalog.js';
export { storyTemplates, storyTemplateView } from './story-templates.catalog.js';
export { systemPromptPosts } from './system-prompt-posts.catalog.js';
