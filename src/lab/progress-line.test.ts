import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressLine } from './progress-line.js';

function sink(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 40 });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('the progress line', () => {
  it('redraws in place on a terminal, throttled, and ends with a newline', () => {
    let now = 0;
    const out = sink(true);
    const line = createProgressLine(out.stream, () => now);
    line.update('lab: 1/10');
    now += 10;
    line.update('lab: 2/10');
    now += 100;
    line.update('lab: 3/10');
    line.done('lab: 10/10');
    expect(out.text()).toBe('\rlab: 1/10\x1b[K\rlab: 3/10\x1b[K\rlab: 10/10\x1b[K\n');
  });

  it('prints plain lines elsewhere, only when the step changes or time passes', () => {
    let now = 0;
    const out = sink(false);
    const line = createProgressLine(out.stream, () => now);
    line.update('[1/2] blocking: 1/10');
    line.update('[1/2] blocking: 2/10');
    now += 6_000;
    line.update('[1/2] blocking: 3/10');
    line.update('[2/2] event loop: 0/10');
    line.done('all done');
    expect(out.text().split('\n')).toEqual(['[1/2] blocking: 1/10', '[1/2] blocking: 3/10', '[2/2] event loop: 0/10', 'all done', '']);
  });

  it('cuts a line wider than the terminal', () => {
    const out = sink(true);
    const line = createProgressLine(out.stream, () => 1_000);
    line.update('x'.repeat(80));
    expect(out.text()).toBe(`\r${'x'.repeat(38)}…\x1b[K`);
  });
});
