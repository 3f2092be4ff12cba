import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { storyboards } from './support/jimeng.js';

const EARLY = new Date('2024-12-18T02:00:00Z'); // 10:00 in Shanghai, 21:00 the day before in New York
const LATE = new Date('2024-12-18T05:00:00Z'); // 13:00 in Shanghai

/**
 * Contract 003 keeps its Asia/Shanghai wall-clock fields; beside them Dreamloom answers instants
 * (`…_iso`) and takes the records' time range as instants too (`start_time_iso`/`end_time_iso`),
 * so a client in any zone (the admin) need not know the server's. Both databases.
 */
describe.each(['sqlite', 'mariadb'] as const)('Jimeng times as instants on %s', (db) => {
  let system: RunningSystem;
  let token: string;
  let batchId: string;

  beforeAll(async () => {
    // No worker: the batch stays pending, so its completion is an estimate.
    system = await startSystem({ db, worker: false });
    token = system.admin.token;
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token,
      body: { work_id: 'work-instants', batch_data: storyboards(2) },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    batchId = submitted.body.data.batch_id;
    const { JimengRecord } = system.core.jimeng.models;
    await JimengRecord.update(
      { create_time: EARLY },
      { where: { batch_id: batchId, storyboard_id: 'sb-0001' } },
    );
    await JimengRecord.update(
      { create_time: LATE },
      { where: { batch_id: batchId, storyboard_id: 'sb-0002' } },
    );
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  const listed = async (query: string) => {
    const response = await api(
      system.baseUrl,
      'GET',
      `/api/v1/jimeng/records/list?type=image&work_id=work-instants&${query}`,
      { token },
    );
    return response;
  };
  const storyboardsOf = (response: { body: { data: { list: Array<{ storyboard_id: string }> } } }) =>
    response.body.data.list.map((record) => record.storyboard_id).sort();

  it('filters records by instants in any offset, the same as by the contract’s Shanghai times', async () => {
    // 20:30–21:30 on the 17th in New York holds EARLY only.
    const newYork = await listed(
      `start_time_iso=${encodeURIComponent('2024-12-17T20:30:00-05:00')}&end_time_iso=${encodeURIComponent('2024-12-17T21:30:00-05:00')}`,
    );
    expect(newYork.status, JSON.stringify(newYork.body)).toBe(200);
    expect(storyboardsOf(newYork)).toEqual(['sb-0001']);
    // The same window in UTC and in the contract's own wall clock.
    const utc = await listed('start_time_iso=2024-12-18T01:30:00Z&end_time_iso=2024-12-18T02:30:00.000Z');
    expect(storyboardsOf(utc)).toEqual(['sb-0001']);
    const shanghai = await listed(
      `start_time=${encodeURIComponent('2024-12-18 09:30:00')}&end_time=${encodeURIComponent('2024-12-18 10:30:00')}`,
    );
    expect(storyboardsOf(shanghai)).toEqual(['sb-0001']);
    // Open-ended: from an instant on.
    const from = await listed('start_time_iso=2024-12-18T04:00:00Z');
    expect(storyboardsOf(from)).toEqual(['sb-0002']);
    expect(from.body.data.list[0]).toMatchObject({
      create_time: '2024-12-18 13:00:00',
      create_time_iso: LATE.toISOString(),
    });
  });

  it('refuses a time that is not an instant, or both forms of one bound, with a 400 in the envelope', async () => {
    for (const query of [
      'start_time_iso=2024-12-18 10:00:00',
      'start_time_iso=2024-12-18T10:00:00',
      'end_time_iso=yesterday',
      `start_time=${encodeURIComponent('2024-12-18 10:00:00')}&start_time_iso=2024-12-18T02:00:00Z`,
    ]) {
      const response = await listed(query);
      expect(response.status, query).toBe(400);
      expect(response.body.code, query).toBe(400);
      expect(response.body.message, query).toMatch(/start_time|end_time/);
    }
  });

  it('answers the batch’s start and estimated completion as instants beside the Shanghai times', async () => {
    const { JimengBatch } = system.core.jimeng.models;
    await JimengBatch.update({ start_time: EARLY }, { where: { id: batchId } });
    const before = Date.now();
    const status = await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/${batchId}/status`, { token });
    expect(status.status).toBe(200);
    const data = status.body.data;
    expect(data).toMatchObject({ start_time: '2024-12-18 10:00:00', start_time_iso: EARLY.toISOString() });
    // Pending: the estimate lies ahead, and both fields name the same instant.
    const estimate = Date.parse(data.estimated_completion_iso);
    expect(estimate).toBeGreaterThanOrEqual(before - 1000);
    const shanghaiWallClock = new Date(estimate + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(data.estimated_completion).toBe(shanghaiWallClock);

    // Once finished, the estimate is the finish time.
    await JimengBatch.update({ finish_time: LATE }, { where: { id: batchId } });
    await system.core.jimeng.models.JimengRecord.update(
      { generation_status: 2 },
      { where: { batch_id: batchId } },
    );
    const finished = await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/${batchId}/status`, { token });
    expect(finished.body.data).toMatchObject({
      status: 'completed',
      estimated_completion: '2024-12-18 13:00:00',
      estimated_completion_iso: LATE.toISOString(),
      finish_time_iso: LATE.toISOString(),
    });
  });
});
