/** Problems found in a mesh spec, with the path of the bad value and how to fix it. */

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
export class SpecValidationError extends Error {
  public constructor(
    /** Where the spec came from: a file name, or a description of the TypeScript declaration. */
    public readonly source: string,
    public readonly problems: readonly SpecProblem[],
    /** Maps a path to `line:column` in the source file, when the source is a file. */
    locate: (path: SpecPath) => string | undefined = () => undefined,
  ) {
    super(SpecValidationError.render(source, problems, locate));
    this.name = 'SpecValidationError';
  }

  private static render(source: string, problems: readonly SpecProblem[], locate: (path: SpecPath) => string | undefined): string {
    const lines = problems.map((p) => {
      const at = locate(p.path);
      const where = at ? `${source}:${at} ${formatSpecPath(p.path)}` : `${source} ${formatSpecPath(p.path)}`;
      return `  ${where}: ${p.message}\n      fix: ${p.fix}`;
    });
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    return `mesh spec ${source} has ${count}; nothing was written:\n${lines.join('\n')}`;
  }
}
