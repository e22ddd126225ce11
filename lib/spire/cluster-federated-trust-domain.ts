/**
 * ClusterFederatedTrustDomain: a federation relationship that the controller manager keeps in SPIRE through the
 * Trust Domain API (dynamic federation, "Federation configuration" of https://spiffe.io/docs/latest/deploying/spire_server/).
 */
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ClusterFederatedTrustDomain as ClusterFederatedTrustDomainResource,
  ClusterFederatedTrustDomainSpecBundleEndpointProfileType,
} from '../../imports/spire-clusterfederatedtrustdomain-spire.spiffe.io';
import { BundleEndpointProfile } from './choices';
import { SPIRE_CLASS_NAME } from './names';
import { Finding, formatFinding } from '../spec';
import { readSpiffeBundle } from './spiffe-bundle';
import { objectNameProblem, spiffeIdProblem, spireFinding, suggestObjectName, throwIfFindings, trustDomainNameProblem } from './validation';

export interface ClusterFederatedTrustDomainProps {
  /** The foreign trust domain, e.g. 'cluster2' or 'west.example.org'. */
  readonly trustDomain: string;
  /** HTTPS URL of its SPIFFE bundle endpoint, without user or password. */
  readonly bundleEndpointUrl: string;
  /** How the bundle endpoint is authenticated. */
  readonly bundleEndpointProfile: BundleEndpointProfile;
  /**
   * SPIFFE ID of the bundle endpoint: required for `HTTPS_SPIFFE` (for a SPIRE server,
   * `spiffe://<trust domain>/spire/server`), not allowed for `HTTPS_WEB`.
   * @default - none
   */
  readonly endpointSpiffeId?: string;
  /**
   * The foreign trust domain's current bundle in SPIFFE format (`spire-server bundle show -format
   * spiffe`), to bootstrap an `HTTPS_SPIFFE` relationship without `spire-server bundle set`. A
   * function is called when the object renders (for material that synthesis knows only then, such
   * as the mesh root); when it returns undefined the field is left out. The controller manager
   * applies the bundle when it creates the relationship only: later bundles come from the endpoint
   * (spiffe/spire-controller-manager pkg/spireapi/types.go, `FederationRelationship.Equal` ignores it).
   * @default - none (bootstrap by hand)
   */
  readonly trustDomainBundle?: string | (() => string | undefined);
  /**
   * Object name (cluster-scoped).
   * @default - the trust domain
   */
  readonly name?: string;
}

/** A ClusterFederatedTrustDomain of the controller manager's class. */
export class ClusterFederatedTrustDomain extends Construct {
  /** The ClusterFederatedTrustDomain object. */
  public readonly resource: ClusterFederatedTrustDomainResource;
  public readonly name: string;
  public readonly className: string = SPIRE_CLASS_NAME;

  public constructor(scope: Construct, id: string, props: ClusterFederatedTrustDomainProps) {
    super(scope, id);
    const name = props.name ?? props.trustDomain;
    const nameProblem = objectNameProblem('name', name);
    throwIfFindings(`ClusterFederatedTrustDomain '${name}' (${this.node.path})`, [
      trustDomainNameProblem('trustDomain', props.trustDomain),
      nameProblem && props.name === undefined
        ? spireFinding(
            'name',
            `the default name (the trust domain '${name}') is not a valid Kubernetes object name`,
            `set \`name\`, e.g. '${suggestObjectName(name)}'`,
          )
        : nameProblem,
      bundleEndpointUrlProblem(props.bundleEndpointUrl),
      endpointSpiffeIdProblem(props),
      typeof props.trustDomainBundle === 'string' ? trustDomainBundleProblem(props.trustDomainBundle) : undefined,
    ]);
    const produceBundle = props.trustDomainBundle;
    if (typeof produceBundle === 'function') {
      // Checked when it is known: at synth, before any gate runs.
      this.node.addValidation({
        validate: () => {
          const value = produceBundle();
          const problem = value === undefined ? undefined : trustDomainBundleProblem(value);
          return problem ? [`ClusterFederatedTrustDomain '${name}': ${formatFinding(problem, { inline: true })}`] : [];
        },
      });
    }

    this.name = name;
    this.resource = new ClusterFederatedTrustDomainResource(this, 'Resource', {
      metadata: { name },
      spec: {
        // The controller manager (`watchClassless: false`) silently ignores objects of another class or none.
        className: this.className,
        trustDomain: props.trustDomain,
        bundleEndpointUrl: props.bundleEndpointUrl,
        bundleEndpointProfile: {
          type: props.bundleEndpointProfile.value as ClusterFederatedTrustDomainSpecBundleEndpointProfileType,
          endpointSpiffeid: props.endpointSpiffeId,
        },
        trustDomainBundle: typeof produceBundle === 'function' ? (Lazy.any({ produce: () => produceBundle() }) as string) : produceBundle,
      },
    });
  }
}

/** `endpointSpiffeId` is required for `HTTPS_SPIFFE` and must be a SPIFFE ID; `HTTPS_WEB` does not take one. */
function endpointSpiffeIdProblem(props: ClusterFederatedTrustDomainProps): Finding | undefined {
  const id = props.endpointSpiffeId;
  if (props.bundleEndpointProfile !== BundleEndpointProfile.HTTPS_SPIFFE) {
    return id === undefined
      ? undefined
      : spireFinding(
          'bundleEndpointProfile',
          `https_web does not take endpointSpiffeId, got '${id}' (the endpoint is authenticated with Web PKI)`,
          'remove endpointSpiffeId, or use BundleEndpointProfile.HTTPS_SPIFFE',
        );
  }
  if (id !== undefined) return spiffeIdProblem('endpointSpiffeId', id);
  return spireFinding(
    'bundleEndpointProfile',
    'https_spiffe needs endpointSpiffeId (the SPIFFE ID the bundle endpoint presents)',
    `set endpointSpiffeId, for a SPIRE server 'spiffe://${props.trustDomain}/spire/server'`,
  );
}

/** An https URL without userinfo (the controller manager's own check). */
function bundleEndpointUrlProblem(value: string): Finding | undefined {
  let url: URL | undefined;
  try {
    url = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) {
    return spireFinding(
      'bundleEndpointUrl',
      `'${value}' is not a URL`,
      "write it as 'https://<host>[:<port>][/<path>]', e.g. 'https://spire.cluster2.example.org:8443'",
    );
  }
  const httpsUrl = `https://${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  if (url.protocol !== 'https:') {
    return spireFinding(
      'bundleEndpointUrl',
      `'${value}' uses scheme '${url.protocol.replace(/:$/, '')}'; bundle endpoints must be https`,
      `use '${httpsUrl}'`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    return spireFinding(
      'bundleEndpointUrl',
      `'${value}' contains userinfo (user or password), which is not allowed`,
      `remove it: '${httpsUrl}'`,
    );
  }
  return undefined;
}

/** A SPIFFE bundle as SPIRE reads it (see readSpiffeBundle). */
function trustDomainBundleProblem(value: string): Finding | undefined {
  const reading = readSpiffeBundle(value);
  if (!reading.problems) return undefined;
  return spireFinding(
    'trustDomainBundle',
    `not a SPIFFE bundle: ${reading.problems.join('; ')}`,
    "paste the output of 'spire-server bundle show -format spiffe' of the foreign server",
  );
}
