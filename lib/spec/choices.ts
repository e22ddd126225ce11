/**
 * Enum-like classes for every choice in the mesh spec (AWS CDK guideline: no string unions
 * in the API). Each value also has the string form used in YAML inventories.
 */
import {
  DEFAULT_ARGO_CD_NAMESPACE,
  DEFAULT_ARGO_CD_PROJECT,
  DEFAULT_CHART_CACHE_DIRECTORY,
  DEFAULT_HELM_EXECUTABLE,
  DEFAULT_SECRETS_DIRECTORY,
  defaultRemoteKeyPrefix,
} from './defaults';
import { CaDeliveryDocument, ChartDeliveryDocument } from './document';
import { goDurationSeconds } from './syntax';

/** Base of the enum-like classes: keeps the list of instances per class. */
export abstract class Choice {
  private static readonly registry = new Map<unknown, Choice[]>();

  protected constructor(
    /** The value as written in a YAML inventory. */
    public readonly value: string,
  ) {
    const siblings = Choice.registry.get(new.target) ?? [];
    siblings.push(this);
    Choice.registry.set(new.target, siblings);
  }

  /** Every allowed value of this choice, in declaration order. */
  public static values(this: { prototype: Choice }): string[] {
    return (Choice.registry.get(this) ?? []).map((c) => c.value);
  }

  /** The instance for a YAML value; throws with the allowed values when unknown. */
  public static of<T extends Choice>(this: { prototype: T; name: string }, value: string): T {
    const found = (Choice.registry.get(this) ?? []).find((c) => c.value === value);
    if (!found) {
      const allowed = (Choice.registry.get(this) ?? []).map((c) => c.value).join(', ');
      throw new Error(`unknown ${this.name} '${value}': use one of ${allowed}`);
    }
    return found as T;
  }

  public toString(): string {
    return this.value;
  }
}

/** How workloads join the mesh. */
export class DataplaneMode extends Choice {
  /**
   * ztunnel node proxies; Solo's ztunnel is a trusted delegate of the node's SPIRE agent
   * (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
   */
  public static readonly AMBIENT = new DataplaneMode('ambient');
  /**
   * Classic Envoy sidecars that read SVIDs from the SPIRE agent socket through the CSI driver
   * (https://istio.io/latest/docs/ops/integrations/spire/).
   */
  public static readonly SIDECAR = new DataplaneMode('sidecar');
}

/**
 * How a cluster's east-west gateway is reached from its peers ("Link clusters" in
 * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/: "either LoadBalancer or NodePort addresses").
 */
export class EastWestServiceType extends Choice {
  /**
   * The `istio-eastwest` class's default Service type, so no annotation is written (Solo's Istio fork,
   * PetrMc/istio-petrmc-upstream-fork @bb9338f5, pilot/pkg/config/kube/gateway/deploymentcontroller.go).
   */
  public static readonly LOAD_BALANCER = new EastWestServiceType('LoadBalancer');
  /**
   * NodePort peering, Solo-only: `peering.solo.io/data-plane-service-type` on the east-west Gateway and
   * `peering.solo.io/preferred-data-plane-service-type` on the remote peer Gateways (Solo's Istio fork,
   * PetrMc/istio-petrmc-upstream-fork @bb9338f5, pkg/config/constants/solo.go).
   */
  public static readonly NODE_PORT = new EastWestServiceType('NodePort');
}

/** Service type of an ingress gateway or of the SPIRE bundle endpoint. */
export class GatewayServiceType extends Choice {
  /** A cloud load balancer: the gateway chart's default (`service.type`, istio/istio manifests/charts/gateway/values.yaml, 1.29). */
  public static readonly LOAD_BALANCER = new GatewayServiceType('LoadBalancer');
  /** A port on every node, for clusters without load balancers (kind, bare metal). */
  public static readonly NODE_PORT = new GatewayServiceType('NodePort');
  /** Reachable inside the cluster only (behind another load balancer or an ingress controller). */
  public static readonly CLUSTER_IP = new GatewayServiceType('ClusterIP');
}

/** Which Istio build is installed. */
export class IstioDistribution extends Choice {
  /**
   * The Solo distribution (`<version>-solo` images): needed for SPIRE in ambient and for peering
   * (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
   */
  public static readonly SOLO = new IstioDistribution('solo');
  /**
   * Community Istio: SPIRE works with sidecars only (https://istio.io/latest/docs/ops/integrations/spire/);
   * istio/ztunnel has no SPIRE support (PR #1676 is unmerged).
   */
  public static readonly UPSTREAM = new IstioDistribution('upstream');
}

/**
 * Key type and size of the mesh's CA keys. Only RSA: node-forge 1.4.3 has no EC API (`pki.publicKeyFromPem` of a P-256
 * key throws "Unknown OID"), so it cannot read or sign with EC keys.
 */
export class KeyAlgorithm extends Choice {
  /** RSA 2048, as in the `openssl genrsa ... 2048` commands of https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ */
  public static readonly RSA_2048 = new KeyAlgorithm('rsa-2048', 2048);
  /** RSA 4096, Istio's own cert tooling default; key generation is about 5x slower. */
  public static readonly RSA_4096 = new KeyAlgorithm('rsa-4096', 4096);

  private constructor(
    value: string,
    /** RSA modulus length in bits. */ public readonly rsaBits: number,
  ) {
    super(value);
  }
}

/** How the per-cluster CA secrets reach the clusters (values of `pki.delivery.mode`). */
export class CaDeliveryMode extends Choice {
  public static readonly EXTERNAL_SECRETS = new CaDeliveryMode('external-secrets');
  public static readonly KUBECTL = new CaDeliveryMode('kubectl');
  public static readonly CERT_MANAGER = new CaDeliveryMode('cert-manager');
}

/** Kind of a cert-manager issuer. */
export class IssuerKind extends Choice {
  public static readonly ISSUER = new IssuerKind('Issuer');
  public static readonly CLUSTER_ISSUER = new IssuerKind('ClusterIssuer');
}

/** How Helm charts reach the clusters (values of `chartDelivery.mode`). */
export class ChartDeliveryMode extends Choice {
  public static readonly ARGO_CD = new ChartDeliveryMode('argocd');
  public static readonly FLUX = new ChartDeliveryMode('flux');
  public static readonly HELM_TEMPLATE = new ChartDeliveryMode('helm-template');
  public static readonly GLOO_OPERATOR = new ChartDeliveryMode('gloo-operator');
}

/** Options of `ChartDelivery.argoCd()`. */
export interface ArgoCdDeliveryOptions {
  /**
   * Namespace of the Argo CD Application objects.
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * Argo CD project of the Applications.
   * @default 'default'
   */
  readonly project?: string;
}

/** Options of `ChartDelivery.helmTemplate()`. */
export interface HelmTemplateDeliveryOptions {
  /**
   * The helm binary that renders the charts at synth time.
   * @default 'helm' from PATH
   */
  readonly helmExecutable?: string;
  /**
   * Folder with the pulled chart archives (`helm pull --version X -d <folder>`).
   * @default '.spiremesh/charts'
   */
  readonly chartCacheDirectory?: string;
}

/** Argo CD delivery with its defaults applied. */
export interface ArgoCdDeliveryModel {
  readonly kind: 'argocd';
  readonly mode: ChartDeliveryMode;
  readonly namespace: string;
  readonly project: string;
}

/** Flux delivery (no options). */
export interface FluxDeliveryModel {
  readonly kind: 'flux';
  readonly mode: ChartDeliveryMode;
}

/** helm-template delivery with its defaults applied. */
export interface HelmTemplateDeliveryModel {
  readonly kind: 'helm-template';
  readonly mode: ChartDeliveryMode;
  readonly helmExecutable: string;
  readonly chartCacheDirectory: string;
}

/** Options of `ChartDelivery.glooOperator()`. */
export interface GlooOperatorDeliveryOptions {
  /**
   * Version of the gloo-operator Helm chart (oci://us-docker.pkg.dev/solo-public/gloo-operator-helm/gloo-operator).
   * @default - '0.2.4', the version of https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/
   */
  readonly operatorChartVersion?: string;
}

/** Gloo Operator delivery. */
export interface GlooOperatorDeliveryModel {
  readonly kind: 'gloo-operator';
  readonly mode: ChartDeliveryMode;
  /** @default - the delivery's default (lib/delivery/gloo-operator.ts DEFAULT_GLOO_OPERATOR_CHART_VERSION) */
  readonly operatorChartVersion?: string;
}

/** The resolved chart delivery: one member per mode, each with exactly its settings. */
export type ChartDeliveryModel = ArgoCdDeliveryModel | FluxDeliveryModel | HelmTemplateDeliveryModel | GlooOperatorDeliveryModel;

/** How charts are delivered, with the options of each mode. */
export class ChartDelivery {
  /** One Argo CD Application per chart, ordered by sync waves. */
  public static argoCd(options: ArgoCdDeliveryOptions = {}): ChartDelivery {
    return new ChartDelivery(
      {
        kind: 'argocd',
        mode: ChartDeliveryMode.ARGO_CD,
        namespace: options.namespace ?? DEFAULT_ARGO_CD_NAMESPACE,
        project: options.project ?? DEFAULT_ARGO_CD_PROJECT,
      },
      options,
    );
  }

  /** Flux OCIRepository/HelmRepository and HelmRelease objects ordered by dependsOn. */
  public static flux(): ChartDelivery {
    return new ChartDelivery({ kind: 'flux', mode: ChartDeliveryMode.FLUX });
  }

  /** `helm template` at synth time: dist/ holds the fully rendered chart output. */
  public static helmTemplate(options: HelmTemplateDeliveryOptions = {}): ChartDelivery {
    return new ChartDelivery(
      {
        kind: 'helm-template',
        mode: ChartDeliveryMode.HELM_TEMPLATE,
        helmExecutable: options.helmExecutable ?? DEFAULT_HELM_EXECUTABLE,
        chartCacheDirectory: options.chartCacheDirectory ?? DEFAULT_CHART_CACHE_DIRECTORY,
      },
      options,
    );
  }

  /** The Gloo Operator's install, ServiceMeshController and extensions ConfigMap. */
  public static glooOperator(options: GlooOperatorDeliveryOptions = {}): ChartDelivery {
    return new ChartDelivery(
      {
        kind: 'gloo-operator',
        mode: ChartDeliveryMode.GLOO_OPERATOR,
        ...(options.operatorChartVersion !== undefined ? { operatorChartVersion: options.operatorChartVersion } : {}),
      },
      options,
    );
  }

  /** The choice a validated spec document describes (YAML inventories). */
  public static fromDocument(doc: ChartDeliveryDocument): ChartDelivery {
    switch (ChartDeliveryMode.of(doc.mode)) {
      case ChartDeliveryMode.ARGO_CD:
        return ChartDelivery.argoCd({ namespace: doc.namespace, project: doc.project });
      case ChartDeliveryMode.FLUX:
        return ChartDelivery.flux();
      case ChartDeliveryMode.HELM_TEMPLATE:
        return ChartDelivery.helmTemplate({ helmExecutable: doc.helmExecutable, chartCacheDirectory: doc.chartCacheDirectory });
      default:
        return ChartDelivery.glooOperator({ operatorChartVersion: doc.operatorChartVersion });
    }
  }

  private constructor(
    /** The mode and its settings, defaults applied. */
    public readonly model: ChartDeliveryModel,
    /** The options as the author wrote them. */
    private readonly options: object = {},
  ) {}

  /** The spec-document form of this choice: what the author wrote, without defaults. */
  public toDocument(): ChartDeliveryDocument {
    return compactDocument({ mode: this.model.mode.value, ...this.options });
  }
}

/** Options of `CaDelivery.externalSecrets()`. */
export interface ExternalSecretsDeliveryOptions {
  /** Name of the ClusterSecretStore that holds the CA material. */
  readonly clusterSecretStore: string;
  /**
   * Prefix of the remote keys; each cluster's values live under `<prefix>/<cluster>/...`.
   * @default 'spiremesh/<mesh name>'
   */
  readonly remoteKeyPrefix?: string;
}

/** Options of `CaDelivery.certManager()`. */
export interface CertManagerDeliveryOptions {
  /** The cert-manager issuer that signs the per-cluster intermediates. */
  readonly issuerName: string;
  /**
   * Kind of that issuer.
   * @default IssuerKind.CLUSTER_ISSUER
   */
  readonly issuerKind?: IssuerKind;
  /**
   * ClusterSecretStore holding the mesh root CA (its certificate and key, uploaded once from
   * `pki export`). When set, spiremesh keeps the mesh root in `pki/` and renders the issuer itself
   * in every cluster: a CA ClusterIssuer named `issuerName` whose Secret External Secrets builds
   * from the store, so every cluster chains to the one mesh root. Needs `issuerKind` ClusterIssuer.
   * @default - none: `issuerName` is an issuer the team runs (spiremesh cannot check its root)
   */
  readonly rootSecretStore?: string;
  /**
   * Lifetime of istiod's CA certificate (cert-manager `spec.duration`; seed 002 rotates it at 720h).
   * @default '43800h' (five years, as Istio's intermediate tooling)
   */
  readonly istiodCaDuration?: string;
  /**
   * How long before expiry cert-manager renews istiod's CA certificate (`spec.renewBefore`).
   * @default '720h' (30 days), capped at a third of `istiodCaDuration`
   */
  readonly istiodCaRenewBefore?: string;
}

/** CA secrets built in-cluster by External Secrets from a secret store. */
export interface ExternalSecretsCaDeliveryModel {
  readonly kind: 'external-secrets';
  readonly mode: CaDeliveryMode;
  readonly clusterSecretStore: string;
  readonly remoteKeyPrefix: string;
}

/** CA Secret manifests in a git-ignored folder, applied with kubectl. */
export interface KubectlCaDeliveryModel {
  readonly kind: 'kubectl';
  readonly mode: CaDeliveryMode;
  readonly outputDirectory: string;
}

/** cert-manager signs the intermediates in-cluster; no CA key on disk. */
export interface CertManagerCaDeliveryModel {
  readonly kind: 'cert-manager';
  readonly mode: CaDeliveryMode;
  readonly issuerName: string;
  readonly issuerKind: IssuerKind;
  /** Set when spiremesh renders the issuer from the mesh root. */
  readonly rootSecretStore?: string;
  readonly istiodCaDuration: string;
  readonly istiodCaRenewBefore: string;
}

/** The resolved CA delivery: one member per mode, each with exactly its settings. */
export type CaDeliveryModel = ExternalSecretsCaDeliveryModel | KubectlCaDeliveryModel | CertManagerCaDeliveryModel;

/** How CA secrets reach the clusters. Private keys never enter dist/. */
export class CaDelivery {
  /** ExternalSecret objects in dist/ that build the secrets from a secret store. */
  public static externalSecrets(options: ExternalSecretsDeliveryOptions): CaDelivery {
    return new CaDelivery(
      (meshName) => ({
        kind: 'external-secrets',
        mode: CaDeliveryMode.EXTERNAL_SECRETS,
        clusterSecretStore: options.clusterSecretStore,
        remoteKeyPrefix: options.remoteKeyPrefix ?? defaultRemoteKeyPrefix(meshName),
      }),
      { mode: CaDeliveryMode.EXTERNAL_SECRETS.value, ...options },
    );
  }

  /**
   * Plain Secret manifests in a git-ignored folder, applied by hand with kubectl.
   * @param outputDirectory @default '.spiremesh/secrets'
   */
  public static kubectl(outputDirectory?: string): CaDelivery {
    return new CaDelivery(
      () => ({ kind: 'kubectl', mode: CaDeliveryMode.KUBECTL, outputDirectory: outputDirectory ?? DEFAULT_SECRETS_DIRECTORY }),
      { mode: CaDeliveryMode.KUBECTL.value, outputDirectory },
    );
  }

  /** No key in git at all: SPIRE's cert-manager UpstreamAuthority and an istiod CA Certificate. */
  public static certManager(options: CertManagerDeliveryOptions): CaDelivery {
    return new CaDelivery(
      () => ({
        kind: 'cert-manager',
        mode: CaDeliveryMode.CERT_MANAGER,
        issuerName: options.issuerName,
        issuerKind: options.issuerKind ?? IssuerKind.CLUSTER_ISSUER,
        rootSecretStore: options.rootSecretStore,
        istiodCaDuration: options.istiodCaDuration ?? DEFAULT_ISTIOD_CA_DURATION,
        istiodCaRenewBefore: options.istiodCaRenewBefore ?? defaultRenewBefore(options.istiodCaDuration ?? DEFAULT_ISTIOD_CA_DURATION),
      }),
      {
        mode: CaDeliveryMode.CERT_MANAGER.value,
        issuerName: options.issuerName,
        issuerKind: options.issuerKind?.value,
        rootSecretStore: options.rootSecretStore,
        istiodCaDuration: options.istiodCaDuration,
        istiodCaRenewBefore: options.istiodCaRenewBefore,
      },
    );
  }

  /** The choice a validated spec document describes (YAML inventories). */
  public static fromDocument(doc: CaDeliveryDocument): CaDelivery {
    switch (CaDeliveryMode.of(doc.mode)) {
      case CaDeliveryMode.EXTERNAL_SECRETS:
        return CaDelivery.externalSecrets({ clusterSecretStore: doc.clusterSecretStore ?? '', remoteKeyPrefix: doc.remoteKeyPrefix });
      case CaDeliveryMode.CERT_MANAGER:
        return CaDelivery.certManager({
          issuerName: doc.issuerName ?? '',
          issuerKind: doc.issuerKind === undefined ? undefined : IssuerKind.of(doc.issuerKind),
          rootSecretStore: doc.rootSecretStore,
          istiodCaDuration: doc.istiodCaDuration,
          istiodCaRenewBefore: doc.istiodCaRenewBefore,
        });
      default:
        return CaDelivery.kubectl(doc.outputDirectory);
    }
  }

  private constructor(
    private readonly resolveFor: (meshName: string) => CaDeliveryModel,
    private readonly document: CaDeliveryDocument,
  ) {}

  /** The mode and its settings for mesh `meshName`, defaults applied. */
  public resolve(meshName: string): CaDeliveryModel {
    return this.resolveFor(meshName);
  }

  /** The spec-document form of this choice: what the author wrote, without defaults. */
  public toDocument(): CaDeliveryDocument {
    return compactDocument(this.document);
  }
}

/** istiod's CA lifetime: 1825 days, the lifetime of the file-based istiod intermediates (`openssl x509 -req -days 1825` in Solo's SPIRE guide). */
export const DEFAULT_ISTIOD_CA_DURATION = `${1825 * 24}h`;

/** 30 days, or a third of the duration when that is shorter. */
function defaultRenewBefore(duration: string): string {
  const hours = goDurationSeconds(duration) / 3600;
  return `${Math.max(1, Math.floor(Math.min(30 * 24, hours / 3)))}h`;
}

/** Drops undefined fields, so a document holds only what the author wrote. */
export function compactDocument<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
