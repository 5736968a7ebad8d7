// The contract between `npm run bench` (bench/run.ts) and each benchmark area (bench/<area>.ts).
// An area module exports `run(ctx: BenchContext): Promise<BenchSection>`.

export interface BenchContext {
  /** Seconds each measured load lasts (short with --quick). */
  durationSec: number;
  /** Concurrent connections for HTTP loads. */
  connections: number;
  /** Report progress on one line (the runner draws it). */
  progress(message: string): void;
  /** Directory for this run's charts and raw files. */
  outDir: string;
  quick: boolean;
  /**
   * `--full`: also the slower tables an area keeps for comparison with earlier runs (the sessions area's
   * per-store route and store-size tables, the jwt area's ES256/RS256 rows). Off by default, so that
   * `npm run bench -- sessions jwt` stays near ten minutes and measures the `gatehouse serve` node first.
   */
  full?: boolean;
  /**
   * What the runner's set-up step (bench/setup.ts) found, by peer name (e.g. 'haproxy', 'http-proxy-3').
   * Absent when an area is run outside the runner. A peer with `available: false` is reported as a
   * row with `missing` set, never left out.
   */
  peers?: Record<string, PeerStatus>;
}

/** One peer (a Debian program or an npm package) and whether this machine has it. */
export interface PeerStatus {
  name: string;
  kind: 'debian' | 'npm';
  available: boolean;
  version?: string;
  /** Executable path (Debian peers). */
  path?: string;
  /** Why it is not available (not installed and could not be installed, and how to get it). */
  missing?: string;
  /** Installed by this run's set-up step. */
  installedNow?: boolean;
}

/** One row of a table: a subject (gatehouse variant or a peer) and its figures. */
export interface BenchRow {
  subject: string;
  /** Peer (not gatehouse) rows say so; ratios are computed against a named baseline row. */
  peer?: boolean;
  /** Set when a peer could not be run: the row is reported as missing, never dropped. */
  missing?: string;
  figures: Record<string, number>;
}

export interface BenchTable {
  title: string;
  /** Column keys of `figures` in display order, with units, e.g. { key: 'rps', label: 'req/s' }. */
  columns: { key: string; label: string }[];
  rows: BenchRow[];
  /** Subject every ratio in this table is measured against (same run). */
  baseline?: string;
  /** Targets from the issue, checked against ratios: e.g. { subject, against, key, min: 0.8 }. */
  targets?: { subject: string; against: string; key: string; min?: number; max?: number; label: string }[];
  notes?: string[];
}

export interface BenchSection {
  area: string;
  tables: BenchTable[];
  /** Files written under outDir (charts), relative to it. */
  charts?: string[];
  /** Section-wide remarks (how it was measured, what a peer could not do). */
  notes?: string[];
}
