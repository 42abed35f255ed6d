/** One measured figure of a benchmark, optionally as a ratio against a baseline measured in the same run. */
export interface BenchResult {
  /** What was measured, e.g. "outbox relay throughput". */
  name: string;
  value: number;
  unit: string;
  /** The same-run baseline, when the figure is a ratio. */
  baseline?: { name: string; value: number };
  /** The ratio (value ÷ baseline) or absolute bound the issue asks for. */
  target?: { kind: "ratio-at-least" | "at-most" | "report"; value?: number };
  notes?: string;
}

export interface BenchEnvironment {
  postgresUrl: string;
  kafkaBrokers: string[];
}

/** A `*.bench.ts` module's default export. */
export type Bench = (env: BenchEnvironment) => Promise<BenchResult[]>;

/** value ÷ baseline, or null. */
export const ratioOf = (r: BenchResult) => (r.baseline ? r.value / r.baseline.value : null);

/** Whether a result meets its target (true when it only reports). */
export function meetsTarget(r: BenchResult): boolean {
  if (!r.target || r.target.kind === "report") return true;
  if (r.target.kind === "ratio-at-least") return (ratioOf(r) ?? 0) >= (r.target.value ?? 0);
  return r.value <= (r.target.value ?? Number.POSITIVE_INFINITY);
}

/** The p-th percentile (0–100) of samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Median of runs: a figure measured several times, alternating with its baseline, is steadier. */
export const median = (values: number[]) => percentile(values, 50);
