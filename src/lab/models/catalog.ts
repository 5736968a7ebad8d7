/** The four I/O models of the study note, and what each one really does in Node here. */
export const MODEL_NAMES = ['sync-blocking', 'sync-nonblocking', 'async-blocking', 'async-nonblocking'] as const;

export type ModelName = (typeof MODEL_NAMES)[number];

export interface ModelInfo {
  name: ModelName;
  /** The study note's name for the model. */
  title: string;
  /** Short label for tables and charts. */
  label: string;
  /** The Node primitive used, and where Node cannot express the model directly, the equivalent chosen and why. */
  how: string;
}

export const MODELS: Record<ModelName, ModelInfo> = {
  'sync-blocking': {
    name: 'sync-blocking',
    title: 'synchronous blocking',
    label: 'sync blocking',
    how:
      'fs.readSync on a blocking FIFO descriptor: read(2) puts the whole thread to sleep until the slow server answers, ' +
      'so requests are served one at a time in the order the clients asked.',
  },
  'sync-nonblocking': {
    name: 'sync-nonblocking',
    title: 'synchronous non-blocking',
    label: 'sync non-blocking (busy poll)',
    how:
      'FIFOs opened with O_NONBLOCK; one loop calls fs.readSync on every waiting descriptor again and again, and read(2) ' +
      'fails with EAGAIN until the answer is there. The thread never sleeps: the waiting is burnt CPU.',
  },
  'async-blocking': {
    name: 'async-blocking',
    title: 'asynchronous blocking (select)',
    label: 'async blocking (select-style)',
    how:
      'Node has no select()/poll() call; its event loop is libuv waiting in epoll_wait, the modern select(). This model ' +
      'writes the select loop by hand on top of it: one wait on all descriptors at once (a promise settled once per loop turn, ' +
      "after epoll_wait has reported every pipe that became readable), then it reads only the ready ones — in the order they " +
      'finished, not the order they started — and waits again.',
  },
  'async-nonblocking': {
    name: 'async-nonblocking',
    title: 'asynchronous non-blocking (event loop)',
    label: 'async non-blocking (event loop)',
    how:
      "net.Socket on each pipe (libuv sets O_NONBLOCK and registers it with epoll); every client is its own promise chain " +
      'and the loop calls it back when its answer arrives — how gatehouse serves everything.',
  },
};
