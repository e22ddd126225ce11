/**
 * One shape for everything spiremesh reports: spec problems, SPIRE and PKI problems, the trust
 * gates and the multicluster check. Each finding says how bad it is, which part of spiremesh
 * found it, what it is about, what is wrong and how to fix it; `formatFinding` is the one
 * renderer, so every message reads the same way.
 */

/** `error` stops synthesis before anything is written; `warning` is printed and synthesis goes on. */
export type FindingSeverity = 'error' | 'warning';

export interface Finding {
  readonly severity: FindingSeverity;
  /**
   * Which check produced it: `spec`, `spire`, `pki`, `schema`, `secrets`, `layout`, `construct`,
   * `istio`, or the name of a multicluster check as `istioctl multicluster check` names it
   * (e.g. `License Check`).
   */
  readonly source: string;
  /**
   * What it is about: a spec field with its file position, an object, a file, a cluster.
   * @default - the whole input
   */
  readonly subject?: string;
  /** What is wrong, naming the bad value. */
  readonly message: string;
  /**
   * How to fix it, as a change the user can make or a command they can run.
   * @default - no fix to suggest
   */
  readonly fix?: string;
}

/** How `formatFinding` lays a finding out. */
export interface FindingLayout {
  /**
   * Prefix of every line (block layout).
   * @default ''
   */
  readonly indent?: string;
  /**
   * One line, the fix in parentheses (lists on the review page, summaries); otherwise the fix
   * goes on an indented line of its own.
   * @default false
   */
  readonly inline?: boolean;
}

/**
 * `error [spec] clusters[1].name: cluster name 'West_1' is not a DNS-1123 label`, then the fix:
 * on an indented line of its own, or inline as `(fix: ...)`.
 */
export function formatFinding(finding: Finding, layout: FindingLayout = {}): string {
  const indent = layout.indent ?? '';
  const subject = finding.subject ? `${shorten(finding.subject)}: ` : '';
  const head = `${indent}${finding.severity} [${finding.source}] ${subject}${shorten(finding.message)}`;
  if (!finding.fix) return head;
  const fix = shorten(finding.fix);
  return layout.inline ? `${head} (fix: ${fix})` : `${head}\n${indent}    fix: ${fix}`;
}

/** Longest quoted value and longest text that messages repeat in full. */
const MAX_QUOTED = 1000;
const MAX_TEXT = 2000;

/**
 * Messages quote the bad value; a huge value (a pasted file, a 50 MB field) is cut to its start
 * and end with its length, so that an error stays readable and small.
 */
export function shorten(text: string): string {
  // A scan rather than a regular expression: a backtracking pattern over a multi-megabyte value
  // can exhaust the regexp engine's stack ("Maximum call stack size exceeded").
  let quoted = '';
  let from = 0;
  for (let open = text.indexOf("'"); open !== -1; open = text.indexOf("'", from)) {
    const close = text.indexOf("'", open + 1);
    if (close === -1) break;
    const value = text.slice(open + 1, close);
    if (value.length > MAX_QUOTED && !value.includes('\n')) {
      quoted += `${text.slice(from, open)}'${value.slice(0, 60)}…${value.slice(-20)}' (${value.length} characters)`;
      from = close + 1;
    } else {
      quoted += text.slice(from, close);
      from = close;
    }
  }
  quoted += text.slice(from);
  return quoted.length <= MAX_TEXT ? quoted : `${quoted.slice(0, MAX_TEXT)}… (${quoted.length - MAX_TEXT} more characters)`;
}

/** A numbered noun: `1 problem`, `3 problems`. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * Base of every error spiremesh throws for bad input: a headline and the findings behind it.
 * The CLI prints `message` (never a stack trace) for these.
 */
export class SpiremeshError extends Error {
  public constructor(
    headline: string,
    public readonly findings: readonly Finding[],
  ) {
    super(findings.length === 0 ? headline : `${headline}\n${findings.map((f) => formatFinding(f, { indent: '  ' })).join('\n')}`);
    this.name = new.target.name;
  }

  /** True for errors caused by the input (spec, files, flags) rather than by a bug. */
  public static isSpiremeshError(e: unknown): e is SpiremeshError {
    return e instanceof SpiremeshError;
  }
}
