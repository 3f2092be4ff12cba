import { AppError } from '../errors.js';

export class TaskNotFoundError extends AppError {
  constructor() {
    super('TASK_NOT_FOUND', 'Generation not found', { status: 404 });
  }
}

export class NoAccountAvailableError extends AppError {
  constructor(provider: string) {
    super('NO_ACCOUNT_AVAILABLE', `No ${provider} account is available right now`, { status: 503 });
  }
}
