export const labErrors = {
  GH_LAB_INVALID_OPTION: { status: 400, message: 'A lab option is missing or out of range.' },
  GH_LAB_UNSUPPORTED: { status: 500, message: 'The I/O lab needs a POSIX system with named pipes (mkfifo).' },
  GH_LAB_MODEL_FAILED: { status: 500, message: 'An I/O model run failed.' },
  GH_LAB_TIMEOUT: { status: 504, message: 'An I/O model run took too long and was stopped.' },
  GH_LAB_BENCH_UNAVAILABLE: { status: 500, message: 'Benchmarks need the source checkout with its dev dependencies (npm install).' },
} as const;
