import type { GenerationTaskRecord } from '../generation/engine/repositories.js';
import { NanobananaNotFoundError, NanobananaValidationError } from './nanobanana.errors.js';
import type { NanobananaRepository } from './nanobanana.repository.js';
import type { NanobananaSearchIndex } from './nanobanana-search.port.js';
import type { GenerationTaskDto, NanobananaScope } from './nanobanana.types.js';
import { taskDto } from './nanobanana-dto.js';
import type { SearchTokenizer } from './search-text.js';

interface Deps {
  repository: NanobananaRepository;
  searchIndex: NanobananaSearchIndex;
  tokenizer: SearchTokenizer;
  /** A member's history page through every node's page cache (GenerationService.memberPage). */
  memberPage?: <Page>(
    owner: string,
    query: string,
    load: () => Promise<{ page: Page; taskIds: readonly string[] }>,
  ) => Promise<Page>;
}

/**
 * Reading contract 004 tasks: one task (status polls), history pages and full-text search.
 * Every method takes the caller's scope first; foreign and unknown tasks look the same.
 */
export class NanobananaTaskQueries {
  constructor(private readonly deps: Deps) {}

  async getTask(scope: NanobananaScope, taskId: string, notFound = '任务不存在'): Promise<GenerationTaskDto> {
    const read = async () => {
      const [dto] = await this.dtos(await this.deps.repository.tasksInScope(scope, [taskId]));
      if (!dto) throw new NanobananaNotFoundError(notFound);
      return dto;
    };
    // A status poll of one's own task comes from the node's memory until the task's next event
    // (the page cache keys it by owner, so another owner's id is read, and refused, as before).
    const owner = 'ownerKey' in scope ? scope.ownerKey : null;
    if (!owner || !this.deps.memberPage) return read();
    return this.deps.memberPage(owner, `004-task:${taskId}`, async () => ({
      page: await read(),
      taskIds: [taskId],
    }));
  }

  async history(scope: NanobananaScope, page: number, pageSize: number) {
    const owner = 'ownerKey' in scope ? scope.ownerKey : null;
    if (!owner || !this.deps.memberPage) return this.readHistory(scope, page, pageSize);
    return this.deps.memberPage(owner, `004:${page}:${pageSize}`, async () => {
      const read = await this.readHistory(scope, page, pageSize);
      return { page: read, taskIds: read.list.map((task) => task.id) };
    });
  }

  private async readHistory(scope: NanobananaScope, page: number, pageSize: number) {
    const { repository } = this.deps;
    const { taskIds, total } = await repository.historyPage(scope, pageSize, (page - 1) * pageSize);
    const list = await this.dtos(await repository.tasksInScope(scope, taskIds));
    return { list, total, page };
  }

  /** Full-text search over jieba tokens, relevance first (FTS5 on SQLite, posting tables on MySQL/MariaDB). */
  async search(scope: NanobananaScope, keyword: string, page: number, pageSize: number) {
    const trimmed = keyword.trim();
    if (!trimmed) throw new NanobananaValidationError('请输入搜索关键词');
    const tokens = this.deps.tokenizer.queryTokens(trimmed).slice(0, 32);
    const empty = { list: [], total: 0, page, pageSize, keyword: trimmed };
    if (tokens.length === 0) return empty;
    const { ids, total } = await this.searchIds(scope, tokens, pageSize, (page - 1) * pageSize);
    const list = await this.dtos(await this.deps.repository.tasksInScope(scope, ids));
    return { list, total, page, pageSize, keyword: trimmed };
  }

  /** Raw search: ids of one page in relevance order, and the total. Exposed for the benchmark. */
  searchIds(
    scope: NanobananaScope,
    tokens: string[],
    limit: number,
    offset: number,
  ): Promise<{ ids: string[]; total: number }> {
    return this.deps.searchIndex.search('ownerKey' in scope ? scope.ownerKey : null, tokens, limit, offset);
  }

  private async dtos(tasks: GenerationTaskRecord[]): Promise<GenerationTaskDto[]> {
    if (tasks.length === 0) return [];
    const ids = tasks.map((task) => task.id);
    const [assets, options] = await Promise.all([
      this.deps.repository.imagesOfTasks(ids),
      this.deps.repository.optionsOfTasks(ids),
    ]);
    return tasks.map((task) =>
      taskDto(
        task,
        assets.filter((asset) => asset.task_id === task.id),
        options.get(task.id) ?? '',
      ),
    );
  }
}
