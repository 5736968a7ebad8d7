export const storageErrors = {
  GH_STORAGE_UNAVAILABLE: { status: 503, message: 'The data store is not reachable.' },
  GH_STORAGE_CONFLICT: { status: 409, message: 'The record already exists.' },
  GH_STORAGE_MIGRATION_FAILED: { status: 500, message: 'Database migrations failed.' },
} as const;
