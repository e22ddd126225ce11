/**
 * Where the GitOps repository lives and how a GitOps engine reaches every cluster: the spec's
 * `gitops` section and `clusters[].argoCdDestination`, their choices and their resolved model.
 * The fleet bootstrap (`lib/gitops/fleet/`) renders from this model; validation is in
 * `validate-gitops.ts`.
 */
import { Choice } from './choices';
import { DEFAULT_OUTPUT_DIRECTORY } from './project';

/** Branch the engines follow (`gitops.revision`). */
export const DEFAULT_GITOPS_REVISION = 'main';
/** Folder of the output in the repository (`gitops.pathPrefix`): the default output folder, committed as is. */
export const DEFAULT_GITOPS_PATH_PREFIX = DEFAULT_OUTPUT_DIRECTORY;

/** The engine that applies each cluster directory. */
export class GitOpsEngine extends Choice {
  /** Argo CD: one Application per cluster directory (https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications). */
  public static readonly ARGO_CD = new GitOpsEngine('argocd');
  /**
   * Flux: a GitRepository and a Kustomization per cluster directory
   * (https://fluxcd.io/flux/components/kustomize/kustomizations/).
   */
  public static readonly FLUX = new GitOpsEngine('flux');
}

/** Where the Argo CD that syncs a cluster directory runs. */
export class ArgoCdTopology extends Choice {
  /** An Argo CD in every cluster, deploying to the cluster it runs in (`https://kubernetes.default.svc`). */
  public static readonly IN_CLUSTER = new ArgoCdTopology('in-cluster');
  /**
   * One Argo CD (the hub) managing every cluster, each registered as an Argo CD cluster
   * (https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#clusters); every
   * Application names its cluster's destination and is prefixed with the cluster name.
   */
  public static readonly HUB = new ArgoCdTopology('hub');
}

/** The GitOps repository that holds the output folder. */
export interface GitOpsProps {
  /**
   * URL of the Git repository the output folder is committed to: `https://host/path`,
   * `ssh://[user@]host[:port]/path` or the scp-like `user@host:path` (plain `http://`, `git://`
   * and `file://` URLs are refused: they carry the manifests of the mesh unauthenticated).
   */
  readonly repository: string;
  /**
   * Branch, tag or commit the engines follow.
   * @default 'main'
   */
  readonly revision?: string;
  /**
   * Folder of the output inside the repository (`<pathPrefix>/<cluster>` is a cluster directory);
   * '.' when the output folder is the repository root.
   * @default 'dist'
   */
  readonly pathPrefix?: string;
  /**
   * The engine that applies the cluster directories.
   * @default - GitOpsEngine.FLUX with `chartDelivery` flux, else GitOpsEngine.ARGO_CD
   */
  readonly engine?: GitOpsEngine;
  /**
   * Argo CD only: an Argo CD in each cluster, or one hub Argo CD for every cluster (then every
   * cluster needs `argoCdDestination`).
   * @default ArgoCdTopology.IN_CLUSTER
   */
  readonly argoCdTopology?: ArgoCdTopology;
  /**
   * Flux only: the Secret in `flux-system` with the repository's credentials, which the
   * GitRepository references (`flux create secret git <name> --url=<repository>`,
   * https://fluxcd.io/flux/components/source/gitrepositories/#secret-reference); required for an
   * ssh repository. Argo CD reads credentials from its own repository Secrets (`argocd repo add`).
   * @default - none: a public https repository
   */
  readonly secretName?: string;
}

/** How a hub Argo CD names a cluster: its API server URL or its Argo CD cluster name (exactly one). */
export interface ArgoCdDestinationProps {
  /**
   * The cluster's API server URL as registered in Argo CD (`https://...`).
   * @default - none; set `server` or `name`
   */
  readonly server?: string;
  /**
   * The cluster's name in Argo CD (the `name` of its cluster Secret, `argocd cluster add --name`).
   * @default - none; set `server` or `name`
   */
  readonly name?: string;
}

/** A hub Argo CD's destination of one cluster. */
export type ArgoCdDestinationModel =
  { readonly server: string; readonly name?: undefined } | { readonly name: string; readonly server?: undefined };

/** The GitOps repository and engine, defaults applied. */
export class GitOpsModel {
  public readonly repository: string;
  public readonly revision: string;
  /** Without a trailing '/'; '.' for the repository root. */
  public readonly pathPrefix: string;
  public readonly engine: GitOpsEngine;
  /** Meaningful with Argo CD only (Flux runs in every cluster). */
  public readonly argoCdTopology: ArgoCdTopology;
  /** Flux: the repository credentials Secret. @default - none */
  public readonly secretName?: string;

  public constructor(props: GitOpsProps, chartDeliveryIsFlux: boolean) {
    this.repository = props.repository;
    this.revision = props.revision ?? DEFAULT_GITOPS_REVISION;
    this.pathPrefix = (props.pathPrefix ?? DEFAULT_GITOPS_PATH_PREFIX).replace(/\/+$/, '') || '.';
    this.engine = props.engine ?? (chartDeliveryIsFlux ? GitOpsEngine.FLUX : GitOpsEngine.ARGO_CD);
    this.argoCdTopology = props.argoCdTopology ?? ArgoCdTopology.IN_CLUSTER;
    this.secretName = props.secretName;
  }

  /** True when one Argo CD manages every cluster. */
  public get isArgoCdHub(): boolean {
    return this.engine === GitOpsEngine.ARGO_CD && this.argoCdTopology === ArgoCdTopology.HUB;
  }

  /** Path of a directory of the output folder inside the repository, e.g. `dist/cluster1` (no leading './'). */
  public repositoryPath(directory: string): string {
    return this.pathPrefix === '.' ? directory : `${this.pathPrefix}/${directory}`;
  }

  /**
   * Name of an Argo CD Application of `cluster`: `<cluster>-<name>` with a hub Argo CD, where the
   * Applications of every cluster share one namespace, else `name`.
   */
  public argoCdApplicationName(cluster: string, name: string): string {
    return this.isArgoCdHub ? `${cluster}-${name}` : name;
  }
}

/** The destination props of a validated document (exactly one of server and name). */
export function argoCdDestinationModel(props: ArgoCdDestinationProps | undefined): ArgoCdDestinationModel | undefined {
  if (!props) return undefined;
  return props.server !== undefined ? { server: props.server } : props.name !== undefined ? { name: props.name } : undefined;
}
