/** Problems found in a mesh spec, with the path of the bad value and how to fix it. */
import { SpiremeshError, countOf } from './finding';

export type SpecPath = ReadonlyArray<string | number>;

export interface SpecProblem {
  /** Where the bad value is, e.g. ['clusters', 1, 'trustDomain']. */
  readonly path: SpecPath;
  /** What is wrong, naming the bad value. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** `['clusters', 1, 'trustDomain']` → `clusters[1].trustDomain`. */
export function formatSpecPath(path: SpecPath): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out === '' ? '(top level)' : out;
}

/** Thrown when a mesh spec has problems; lists every problem, not only the first. */
export class SpecValidationError extends SpiremeshError {
  public constructor(
    /** Where the spec came from: a file name, or a description of the TypeScript declaration. */
    public readonly source: string,
    public readonly problems: readonly SpecProblem[],
    /** Maps a path to `line:column` in the source file, when the source is a file. */
    locate: (path: SpecPath) => string | undefined = () => undefined,
  ) {
    super(
      `mesh spec ${source} has ${countOf(problems.length, 'problem')}; nothing was written:`,
      problems.map((p) => {
        const at = locate(p.path);
        return {
          severity: 'error',
          source: 'spec',
          subject: at ? `${source}:${at} ${formatSpecPath(p.path)}` : `${source} ${formatSpecPath(p.path)}`,
          message: p.message,
          fix: p.fix,
        };
      }),
    );
  }
}
