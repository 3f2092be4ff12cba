import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';

/** bull-board under /admin/queues: staff only, reached with the cookie that the staff login sets. */
describe('queue monitor (bull-board)', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    // No worker: the generation job stays queued, so the monitor has something to show.
    system = await startSystem({ db: 'sqlite', worker: false });
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function loginCookie(username: string, password: string) {
    const response = await fetch(`${system.baseUrl}/api/v1/staff/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = (await response.json()) as { data: { token: string } };
    return { token: body.data.token, setCookie: response.headers.get('set-cookie') ?? '' };
  }

  it('sets an httpOnly, SameSite=Strict cookie scoped to the monitor for staff logins', async () => {
    const { setCookie } = await loginCookie('admin', system.admin.password);
    expect(setCookie).toMatch(/^dreamloom_queue_monitor=/);
    expect(setCookie).toMatch(/path=\/admin\/queues/i);
    expect(setCookie).toMatch(/httponly/i);
    expect(setCookie).toMatch(/samesite=strict/i);
  });

  it('shows every worker queue, with a queued generation, to staff through the cookie', async () => {
    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      token: system.admin.token,
      body: { gen_type: 'anime', prompt: 'a lantern festival', aspect_ratio: '1:1' },
    });
    expect(created.status).toBe(200);
    const { setCookie } = await loginCookie('admin', system.admin.password);
    const cookie = setCookie.split(';')[0];

    const page = await fetch(`${system.baseUrl}/admin/queues`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/" />');
    expect(html).toContain('<title>Dreamloom queues</title>');
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)![1];
    const asset = await fetch(`${system.baseUrl}/admin/queues/${script}`, { headers: { cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);

    const queues = await fetch(`${system.baseUrl}/admin/queues/api/queues?activeQueue=generation`, {
      headers: { cookie },
    });
    expect(queues.status).toBe(200);
    const body = (await queues.json()) as {
      queues: Array<{ name: string; counts: Record<string, number> }>;
    };
    const names = body.queues.map((queue) => queue.name).sort();
    expect(names).toEqual(
      ['generation', 'generation-item', 'jimeng-callback', 'jimeng-maintenance', 'provider-poll'].sort(),
    );
    const generation = body.queues.find((queue) => queue.name === 'generation')!;
    expect((generation.counts.waiting ?? 0) + (generation.counts.prioritized ?? 0)).toBe(1);
  });

  it("serves bull-board in the admin's language: its cookie, else the browser's Accept-Language", async () => {
    const { setCookie } = await loginCookie('admin', system.admin.password);
    const cookie = setCookie.split(';')[0];
    const locale = async (headers: Record<string, string>) => {
      const page = await fetch(`${system.baseUrl}/admin/queues`, { headers: { ...headers } });
      expect(page.status).toBe(200);
      expect(page.headers.get('vary')).toMatch(/cookie/i);
      const html = await page.text();
      const config = /<script id="__UI_CONFIG__" type="application\/json">(.*?)<\/script>/s.exec(html)![1];
      return (JSON.parse(config) as { locale?: { lng?: string } }).locale?.lng;
    };
    expect(await locale({ cookie: `${cookie}; dreamloom_admin_lang=zh-CN` })).toBe('zh-CN');
    expect(await locale({ cookie: `${cookie}; dreamloom_admin_lang=en`, 'accept-language': 'zh-CN' })).toBe(
      'en-US',
    );
    expect(await locale({ cookie, 'accept-language': 'zh-TW,zh;q=0.9,en;q=0.8' })).toBe('zh-CN');
    expect(await locale({ cookie, 'accept-language': 'en-GB,zh-CN;q=0.5' })).toBe('en-US');
    expect(await locale({ cookie })).toBe('en-US');
    // Bull-board's Chinese texts are there for the page to load.
    const zh = await fetch(`${system.baseUrl}/admin/queues/static/locales/zh-CN/messages.json`, {
      headers: { cookie },
    });
    expect(zh.status).toBe(200);
    expect(((await zh.json()) as { MENU: { OVERVIEW: string } }).MENU.OVERVIEW).toBe('概览');
  });

  it('sends signed-out visitors to the admin login and refuses members and revoked tokens', async () => {
    const anonymous = await fetch(`${system.baseUrl}/admin/queues`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/admin/login');
    const anonymousApi = await fetch(`${system.baseUrl}/admin/queues/api/queues`);
    expect(anonymousApi.status).toBe(401);

    await system.core.identity.createPasswordUser({
      username: 'monitor-member',
      password: 'member-password-1',
      role: 'user',
    });
    const member = await loginCookie('monitor-member', 'member-password-1');
    expect(member.setCookie).toBe('');
    const memberApi = await fetch(`${system.baseUrl}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${member.token}` },
    });
    expect(memberApi.status).toBe(403);

    const staff = await loginCookie('admin', system.admin.password);
    const cookie = staff.setCookie.split(';')[0];
    const logout = await fetch(`${system.baseUrl}/api/v1/staff/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${staff.token}` },
    });
    expect(logout.headers.get('set-cookie')).toMatch(/dreamloom_queue_monitor=;/);
    const revoked = await fetch(`${system.baseUrl}/admin/queues/api/queues`, { headers: { cookie } });
    expect(revoked.status).toBe(401);
  });
});
