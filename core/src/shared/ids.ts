import { randomUUID } from 'node:crypto';
import { Snowflake } from '@sapphire/snowflake';

/** Epoch of Dreamloom snowflakes: 2025-01-01T00:00:00Z. */
const DREAMLOOM_EPOCH = new Date('2025-01-01T00:00:00.000Z');

/** Generates ids: snowflake strings where the contracts say 雪花UUID, UUIDs where they say uuid. */
export interface IdGenerator {
  snowflake(): string;
  uuid(): string;
}

/**
 * A worker id spreads snowflakes of concurrent processes apart; the process id is a good-enough
 * default because snowflakes also carry a per-process increment and a millisecond timestamp.
 */
export function createIdGenerator(workerId = BigInt(process.pid % 1024)): IdGenerator {
  const snowflake = new Snowflake(DREAMLOOM_EPOCH);
  return {
    snowflake: () =>
      snowflake
        .generate({ workerId: workerId & 0b11111n, processId: (workerId >> 5n) & 0b11111n })
        .toString(),
    uuid: () => randomUUID(),
  };
}
