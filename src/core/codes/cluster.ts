export const clusterErrors = {
  GH_CLUSTER_NODE_NOT_READY: { status: 503, message: 'An app node did not become ready in time.' },
  GH_CLUSTER_STARTING: { status: 503, message: 'The service is starting; try again in a moment.' },
} as const;
