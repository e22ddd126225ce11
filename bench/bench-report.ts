/**
 * What bench/synth-fleet.ts and its measured child (bench/fleet-child.ts) exchange: the baselines'
 * inputs (JSON files the bench writes before a run) and the report line the child prints last.
 * No imports, so that the bench and the baselines load it without loading the library.
 */

/** The marker of the report line the bench reads. */
export const REPORT_PREFIX = 'SPIREMESH-BENCH-REPORT ';

/** What the bare cdk8s baseline emits: per output directory, one Chart per file, one ApiObject per document. */
export interface BareInput {
  readonly directories: readonly {
    readonly dir: string;
    readonly charts: readonly { readonly id: string; readonly docs: readonly any[] }[];
  }[];
  /** Files that hold no Kubernetes object (README.md, spiremesh-index.yaml): written as they are. */
  readonly raw: readonly { readonly file: string; readonly text: string }[];
}

/** What the write floor writes: every output file, relative path and bytes. */
export interface FloorInput {
  readonly dirs: readonly string[];
  readonly files: readonly { readonly file: string; readonly text: string }[];
}

export interface ChildReport {
  readonly userCPUTime: number;
  readonly systemCPUTime: number;
  /** KiB (process.resourceUsage().maxRSS). */
  readonly maxRSS: number;
  readonly objects?: number;
  readonly upToDate?: boolean;
  readonly keysGenerated?: number;
}

/** Prints the report line: this process's own CPU time and peak RSS, plus what the run counted. */
export function report(extra: Omit<ChildReport, 'userCPUTime' | 'systemCPUTime' | 'maxRSS'>): void {
  const ru = process.resourceUsage();
  process.stdout.write(
    `\n${REPORT_PREFIX}${JSON.stringify({ userCPUTime: ru.userCPUTime, systemCPUTime: ru.systemCPUTime, maxRSS: ru.maxRSS, ...extra })}\n`,
  );
}

/** Runs a child's main and exits 1 with the error's stack when it throws. */
export function runChild(main: () => void | Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((e) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exit(1);
    });
}
