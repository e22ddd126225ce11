/** The finding type of the mesh check and its parts (Solo peering, upstream multi-network, federation, cert-manager). */
import { Finding, FindingSeverity } from '../spec';

/** A finding of the check: `source` is the check's name, `subject` starts with the cluster. */
export interface CheckFinding extends Finding {
  /** Which check, as `istioctl multicluster check` names it where it has one. */
  readonly check: string;
  /** @default - the finding concerns the whole mesh */
  readonly cluster?: string;
}

/** What a check part reports; `checkFinding` turns it into a CheckFinding. */
export interface CheckFindingInput {
  readonly severity: FindingSeverity;
  readonly check: string;
  readonly cluster?: string;
  /** The object or value concerned, e.g. `Gateway istio-eastwest/istio-remote-peer-cluster2`. */
  readonly subject: string;
  readonly message: string;
  readonly fix: string;
}

export function checkFinding(f: CheckFindingInput): CheckFinding {
  return { ...f, source: f.check, subject: f.cluster ? `cluster ${f.cluster}: ${f.subject}` : f.subject };
}
