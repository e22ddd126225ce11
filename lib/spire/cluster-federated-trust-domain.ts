/**
 * ClusterFederatedTrustDomain: a federation relationship that the controller manager keeps in
 * SPIRE (dynamic federation, spire-chart.md §5).
 */
import { Construct } from 'constructs';
import {
  ClusterFederatedTrustDomain as ClusterFederatedTrustDomainResource,
  ClusterFederatedTrustDomainSpecBundleEndpointProfileType,
} from '../../imports/spire-clusterfederatedtrustdomain-spire.spiffe.io';
import { BundleEndpointProfile } from './choices';
import { SPIRE_CLASS_NAME } from './names';
import { SpireProblem, objectNameProblem, spiffeIdProblem, throwIfProblems, trustDomainNameProblem } from './validation';

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
   * spiffe`), to bootstrap an `HTTPS_SPIFFE` relationship without `spire-server bundle set`.
   * @default - none (bootstrap by hand)
   */
  readonly trustDomainBundle?: string;
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
    const problems: SpireProblem[] = [];
    const add = (p: SpireProblem | undefined) => {
      if (p) problems.push(p);
    };
    add(trustDomainNameProblem('trustDomain', props.trustDomain));
    const nameProblem = objectNameProblem('name', name);
    if (nameProblem) {
      problems.push(
        props.name === undefined
          ? {
              problem: `the default name (the trust domain '${name}') is not a valid Kubernetes object name`,
              fix: nameProblem.fix.replace('use a name', 'set `name`, e.g.'),
            }
          : nameProblem,
      );
    }
    add(bundleEndpointUrlProblem(props.bundleEndpointUrl));
    if (props.bundleEndpointProfile === BundleEndpointProfile.HTTPS_SPIFFE) {
      if (props.endpointSpiffeId === undefined) {
        problems.push({
          problem: 'bundleEndpointProfile https_spiffe needs endpointSpiffeId (the SPIFFE ID the bundle endpoint presents)',
          fix: `set endpointSpiffeId, for a SPIRE server 'spiffe://${props.trustDomain}/spire/server'`,
        });
      } else {
        add(spiffeIdProblem('endpointSpiffeId', props.endpointSpiffeId));
      }
    } else if (props.endpointSpiffeId !== undefined) {
      problems.push({
        problem: `bundleEndpointProfile https_web does not take endpointSpiffeId, got '${props.endpointSpiffeId}' (the endpoint is authenticated with Web PKI)`,
        fix: 'remove endpointSpiffeId, or use BundleEndpointProfile.HTTPS_SPIFFE',
      });
    }
    add(trustDomainBundleProblem(props.trustDomainBundle));
    throwIfProblems(`ClusterFederatedTrustDomain '${name}' (${this.node.path})`, problems);

    this.name = name;
    this.resource = new ClusterFederatedTrustDomainResource(this, 'Resource', {
      metadata: { name },
      spec: {
        // The controller manager runs with `watchClassless: false` and reconciles only objects of
        // its class; without className (as the seed's kubectl-applied ClusterSPIFFEIDs are) the
        // object would be silently ignored. One constant, shared with SpireServer.
        className: this.className,
        trustDomain: props.trustDomain,
        bundleEndpointUrl: props.bundleEndpointUrl,
        bundleEndpointProfile: {
          type: props.bundleEndpointProfile.value as ClusterFederatedTrustDomainSpecBundleEndpointProfileType,
          endpointSpiffeid: props.endpointSpiffeId,
        },
        trustDomainBundle: props.trustDomainBundle,
      },
    });
  }
}

/** An https URL without userinfo (the controller manager's own check). */
function bundleEndpointUrlProblem(value: string): SpireProblem | undefined {
  let url: URL | undefined;
  try {
    url = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) {
    return {
      problem: `bundleEndpointUrl '${value}' is not a URL`,
      fix: "write it as 'https://<host>[:<port>][/<path>]', e.g. 'https://spire.cluster2.example.org:8443'",
    };
  }
  if (url.protocol !== 'https:') {
    return {
      problem: `bundleEndpointUrl '${value}' uses scheme '${url.protocol.replace(/:$/, '')}'; bundle endpoints must be https`,
      fix: `use 'https://${url.host}${url.pathname === '/' ? '' : url.pathname}'`,
    };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      problem: `bundleEndpointUrl '${value}' contains userinfo (user or password), which is not allowed`,
      fix: `remove it: 'https://${url.host}${url.pathname === '/' ? '' : url.pathname}'`,
    };
  }
  return undefined;
}

/** A SPIFFE bundle is a JWK set: a JSON object with a `keys` array. */
function trustDomainBundleProblem(value: string | undefined): SpireProblem | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && Array.isArray(parsed.keys)) return undefined;
  } catch {
    // fall through
  }
  return {
    problem: 'trustDomainBundle is not a SPIFFE bundle (a JSON object with a "keys" array)',
    fix: "paste the output of 'spire-server bundle show -format spiffe' of the foreign server",
  };
}
