import type { BenchRow, BenchTable } from './types.js';

export interface TargetOutcome {
  label: string;
  subject: string;
  against: string;
  key: string;
  min?: number;
  max?: number;
  /** subject / against for `key`, measured in this run; absent when either row is missing. */
  ratio?: number;
  status: 'met' | 'missed' | 'not measured';
  reason?: string;
}

function usable(row: BenchRow | undefined, key: string): number | undefined {
  if (!row || row.missing) return undefined;
  const value = row.figures[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** row[key] / baseline[key] for one cell, when both were measured and the baseline is not zero. */
export function ratioOf(table: BenchTable, row: BenchRow, key: string): number | undefined {
  if (!table.baseline || row.subject === table.baseline) return undefined;
  const base = usable(
    table.rows.find((r) => r.subject === table.baseline),
    key,
  );
  const value = usable(row, key);
  if (base === undefined || value === undefined || base === 0) return undefined;
  return value / base;
}

/** Every ratio of a table against its baseline, by subject then column key. */
export function tableRatios(table: BenchTable): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const row of table.rows) {
    for (const { key } of table.columns) {
      const ratio = ratioOf(table, row, key);
      if (ratio !== undefined) (out[row.subject] ??= {})[key] = ratio;
    }
  }
  return out;
}

/** Checks each of the table's targets against ratios measured in this same run. */
export function evaluateTargets(table: BenchTable): TargetOutcome[] {
  return (table.targets ?? []).map((target) => {
    const base: TargetOutcome = { label: target.label, subject: target.subject, against: target.against, key: target.key, status: 'not measured' };
    if (target.min !== undefined) base.min = target.min;
    if (target.max !== undefined) base.max = target.max;
    const subject = table.rows.find((r) => r.subject === target.subject);
    const against = table.rows.find((r) => r.subject === target.against);
    const a = usable(subject, target.key);
    const b = usable(against, target.key);
    if (a === undefined || b === undefined || b === 0) {
      const why = !subject || !against ? 'row not in the table' : (subject.missing ?? against.missing ?? `no ${target.key} figure`);
      return { ...base, reason: why };
    }
    const ratio = a / b;
    const met = (target.min === undefined || ratio >= target.min) && (target.max === undefined || ratio <= target.max);
    return { ...base, ratio, status: met ? 'met' : 'missed' };
  });
}

export function describeBound(target: { min?: number; max?: number }): string {
  const parts: string[] = [];
  if (target.min !== undefined) parts.push(`≥ ${target.min}×`);
  if (target.max !== undefined) parts.push(`≤ ${target.max}×`);
  return parts.join(' and ') || 'any';
}
