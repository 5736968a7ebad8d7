export const storageErrors = {
  GH_STORAGE_UNAVAILABLE: { status: 503, message: 'The data store is not reachable.' },
  GH_STORAGE_MIGRATION_FAILED: { status: 500, message: 'Database migrations failed.' },
  GH_STORAGE_PREPARED_QUERY: { status: 500, message: 'A prepared query is defined wrongly.' },
} as const;
