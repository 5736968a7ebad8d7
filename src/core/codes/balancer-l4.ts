// The balancer's L4 side (TCP/UDP proxies, PROXY protocol) and its config export.
export const balancerL4Errors = {
  GH_BALANCER_PROXY_HEADER_INVALID: { status: 400, message: 'The PROXY protocol header is malformed.' },
  GH_BALANCER_PROXY_HEADER_TIMEOUT: { status: 408, message: 'The PROXY protocol header did not arrive in time.' },
  GH_BALANCER_L4_OPTIONS_INVALID: { status: 400, message: 'The L4 proxy options are not valid.' },
  GH_BALANCER_EXPORT_UNSUPPORTED: { status: 400, message: 'This balancer configuration cannot be exported to that format.' },
} as const;
