export const balancerErrors = {
  GH_BALANCER_NO_BACKEND: { status: 503, message: 'No healthy backend is available.' },
  GH_BALANCER_BAD_GATEWAY: { status: 502, message: 'The backend failed to answer.' },
  GH_BALANCER_GATEWAY_TIMEOUT: { status: 504, message: 'The backend did not answer in time.' },
  GH_BALANCER_BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  GH_BALANCER_CONFIG_INVALID: { status: 400, message: 'The balancer configuration is not valid.' },
  GH_BALANCER_BACKEND_NOT_FOUND: { status: 404, message: 'No such backend.' },
  GH_BALANCER_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than the balancer allows.' },
  GH_BALANCER_HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are larger than the balancer allows.' },
  GH_BALANCER_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },
  GH_BALANCER_UNAUTHORIZED: { status: 401, message: 'The admin API needs a valid bearer token.' },
  GH_BALANCER_ROUTE_NOT_FOUND: { status: 404, message: 'No such admin endpoint.' },
} as const;
