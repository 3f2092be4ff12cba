import { describe, expect, it } from 'vitest';
import { familyOf, mapError, toAppError } from './envelopes.js';

describe('toAppError', () => {
  it('turns constraint failures the use case did not check into a 409, never echoing the SQL', () => {
    const unique = Object.assign(new Error('Validation error: INSERT INTO `ai_models` ...'), {
      name: 'SequelizeUniqueConstraintError',
    });
    const mapped = toAppError(unique);
    expect(mapped).toMatchObject({
      status: 409,
      code: 'CONFLICT',
      message: 'Conflicts with an existing record',
    });
    expect(mapError(familyOf('/api/v1/story-admin/ai-models/1'), mapped).body).toEqual({
      detail: 'Conflicts with an existing record',
    });
    const foreign = Object.assign(new Error('FOREIGN KEY constraint failed'), {
      name: 'SequelizeForeignKeyConstraintError',
    });
    expect(toAppError(foreign)).toMatchObject({ status: 409, code: 'CONFLICT' });
  });

  it('keeps every other unknown error an unexposed 500', () => {
    const other = Object.assign(new Error('SQLITE_ERROR: near "x"'), { name: 'SequelizeDatabaseError' });
    expect(toAppError(other)).toMatchObject({ status: 500, expose: false });
  });
});
