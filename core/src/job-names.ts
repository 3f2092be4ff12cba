/**
 * Every job name the queue carries. The worker (worker.ts) refuses to start if one lacks a handler;
 * createCore watches each one's depth and the queue monitor lists them. Kept apart from worker.ts so
 * that createCore and the BullMQ adapter need not import the worker that imports them.
 */
import { GENERATION_JOB, PROVIDER_POLL_JOB } from './generation/generation.types.js';
import { CALLBACK_JOB } from './jimeng/jimeng.types.js';
import { MAINTENANCE_JOB } from './accounts/account-maintenance.service.js';
import { GENERATION_ITEM_JOB } from './generation/fan-out.types.js';

export const JOB_NAMES = [
  GENERATION_JOB,
  GENERATION_ITEM_JOB,
  CALLBACK_JOB,
  MAINTENANCE_JOB,
  PROVIDER_POLL_JOB,
] as const;

export type JobName = (typeof JOB_NAMES)[number];
