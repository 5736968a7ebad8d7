export const clusterErrors = {
  GH_CLUSTER_STARTING: { status: 503, message: 'gatehouse is starting; try again in a moment.' },
} as const;
