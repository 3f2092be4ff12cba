import Router from '@koa/router';
import {
  accountCreateBody,
  accountCreateResponse,
  accountDeleteResponse,
  accountIdBody,
  accountIdsBody,
  accountListQuery,
  accountListResponse,
  accountResetResponse,
  accountStatisticsResponse,
  accountTestResponse,
  accountUpdateBody,
  accountUpdateResponse,
} from '@dreamloom/contracts';
import { NotFoundError } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

/** Contract 003 §5: the Jimeng account pool, staff only; session ids are masked in every response. */
export function jimengAccountRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/accounts/create',
    tag: 'jimeng-accounts',
    summary:
      'Create accounts in bulk; a session id another live account has is refused per item (`failures`), or 400 for a single item',
    role: 'staff',
    body: accountCreateBody,
    response: accountCreateResponse,
    handler: async (ctx, { body, actor }) => {
      const { success_count, failed_count, failures } = await ctx.core.jimengAccounts.create(
        actor!,
        body.accounts,
      );
      return ok.jimeng({ success_count, failed_count, failures }, '账号创建成功');
    },
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/accounts/update',
    tag: 'jimeng-accounts',
    summary: 'Update accounts; a session id another live account has is refused as in create',
    role: 'staff',
    body: accountUpdateBody,
    response: accountUpdateResponse,
    handler: async (ctx, { body, actor }) =>
      ok.jimeng(await ctx.core.jimengAccounts.update(actor!, body.accounts), '账号修改成功'),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/accounts/list',
    tag: 'jimeng-accounts',
    summary: 'Paged account list ordered by priority and create_time',
    role: 'staff',
    query: accountListQuery,
    response: accountListResponse,
    handler: async (ctx, { query, actor }) =>
      ok.jimeng(await ctx.core.jimengAccounts.list(actor!, query), '查询成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/accounts/delete',
    tag: 'jimeng-accounts',
    summary: 'Logically delete your own accounts',
    role: 'staff',
    body: accountIdsBody,
    response: accountDeleteResponse,
    handler: async (ctx, { body, actor }) =>
      ok.jimeng(await ctx.core.jimengAccounts.remove(actor!, body.ids), '账号删除成功'),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/accounts/statistics',
    tag: 'jimeng-accounts',
    summary: 'Account counts by state (contract 003 §7.1)',
    role: 'staff',
    response: accountStatisticsResponse,
    handler: async (ctx, { actor }) =>
      ok.jimeng(await ctx.core.jimengAccounts.statistics(actor!), '查询成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/accounts/test',
    tag: 'jimeng-accounts',
    summary: 'Test an account now: session check and credits (Dreamloom addition)',
    role: 'staff',
    body: accountIdBody,
    response: accountTestResponse,
    handler: async (ctx, { body, actor }) =>
      ok.jimeng(await ctx.core.jimeng.maintenance.testAccount(actor!, body.id), '测试完成'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/accounts/reset-status',
    tag: 'jimeng-accounts',
    summary: 'Turn generation back on, clear counts, next reset tomorrow 00:30',
    role: 'staff',
    body: accountIdBody,
    response: accountResetResponse,
    handler: async (ctx, { body, actor }) => {
      if (!(await ctx.core.jimengAccounts.resetStatus(actor!, body.id))) throw new NotFoundError('Account');
      return { code: 200, message: '账号状态重置成功' };
    },
  });
  return router;
}
