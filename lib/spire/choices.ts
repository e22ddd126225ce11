/**
 * Enum-like choices of the SPIRE constructs (no string unions in the API).
 */
import { Choice } from '../spec';

/** Failure policy of the controller manager's two validating webhooks. */
export class WebhookFailurePolicy extends Choice {
  /**
   * Admit ClusterSPIFFEID / ClusterFederatedTrustDomain writes when the webhook cannot be reached.
   *
   * The right default for GitOps: Argo CD, Flux or `kubectl apply -k` apply the custom resources
   * in the same sync as the webhook configuration, before the controller manager (a sidecar of
   * spire-server) is ready and before it has patched its own `caBundle` into the configuration at
   * runtime. With `Fail` that first sync is rejected and only converges on a retry. What the
   * webhook would check is checked by spiremesh already: the constructs validate templates,
   * selectors, trust domains and URLs when the mesh is declared, and synthesis validates every
   * custom resource against the CRD schema. Writes made outside spiremesh (kubectl edit) while
   * the controller manager is down are admitted unchecked; the controller manager reports
   * invalid objects in their status and logs when it starts.
   */
  public static readonly IGNORE = new WebhookFailurePolicy('Ignore');
  /**
   * Reject writes while the webhook is unreachable. The chart's intended steady state (its Helm
   * post-install hook patches the policy to `Fail`), but a GitOps sync that applies the custom
   * resources before the controller manager is up fails and must be retried.
   */
  public static readonly FAIL = new WebhookFailurePolicy('Fail');
}

/** `log_level` of spire-server and spire-agent. */
export class LogLevel extends Choice {
  public static readonly DEBUG = new LogLevel('debug');
  /** The chart's default. */
  public static readonly INFO = new LogLevel('info');
  public static readonly WARN = new LogLevel('warn');
  public static readonly ERROR = new LogLevel('error');
}

/** Operator of a label selector requirement (Kubernetes `LabelSelectorRequirement.operator`). */
export class LabelSelectorOperator extends Choice {
  /** The label's value is one of `values`. */
  public static readonly IN = new LabelSelectorOperator('In');
  /** The label is absent or its value is none of `values`. */
  public static readonly NOT_IN = new LabelSelectorOperator('NotIn');
  /** The label is present (no `values`). */
  public static readonly EXISTS = new LabelSelectorOperator('Exists');
  /** The label is absent (no `values`). */
  public static readonly DOES_NOT_EXIST = new LabelSelectorOperator('DoesNotExist');
}

/** How SPIRE authenticates a federated trust domain's bundle endpoint. */
export class BundleEndpointProfile extends Choice {
  /** The endpoint presents an X509-SVID of `endpointSpiffeId` (a SPIRE server's own bundle endpoint). */
  public static readonly HTTPS_SPIFFE = new BundleEndpointProfile('https_spiffe');
  /** The endpoint presents a Web PKI certificate (no endpoint SPIFFE ID). */
  public static readonly HTTPS_WEB = new BundleEndpointProfile('https_web');
}
