import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Contract 002's story list shows `intro` — "故事简介(generated_background)": a background the LLM
 * writes from the author's template content when the story is published. NULL until it has been
 * written (the LLM was down at publish time, or the story predates this column); the list then
 * shows the template content and retries the generation in the background.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('stories', 'generated_background', { type: DataTypes.TEXT, allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('stories', 'generated_background');
}
