import { describe, expect, it } from 'vitest';
import { LineBuffer, Workload } from './wire.js';

describe('the lab wire', () => {
  it('hands out whole lines only, across split reads', () => {
    const lines = new LineBuffer();
    expect(lines.push('0 1\n2')).toEqual(['0 1']);
    expect(lines.push(' 3')).toEqual([]);
    expect(lines.push(Buffer.from('\n4 5\n'))).toEqual(['2 3', '4 5']);
  });

  it('runs a closed loop per client and refuses answers it did not ask for', () => {
    const workload = new Workload(2, 2);
    expect(workload.wantsToSend(0)).toBe(true);
    expect(workload.nextRequest(0)).toBe('0 0\n');
    expect(workload.wantsToSend(0)).toBe(false);
    expect(workload.outstanding(0)).toBe(true);
    expect(() => workload.answer(1, '1 0')).toThrow(/did not expect/);
    expect(() => workload.answer(0, '0 1')).toThrow(/did not expect/);
    workload.answer(0, '0 0');
    expect(workload.latenciesMs).toHaveLength(1);
    expect(workload.nextRequest(0)).toBe('0 1\n');
    workload.answer(0, '0 1');
    expect(workload.wantsToSend(0)).toBe(false);
    expect(workload.done).toBe(false);
    workload.nextRequest(1);
    workload.answer(1, '1 0');
    workload.nextRequest(1);
    workload.answer(1, '1 1');
    expect(workload.done).toBe(true);
  });
});
