/**
 * Semantic rules of the `gitops` section and `clusters[].argoCdDestination`: the repository URL,
 * revision and path prefix, the engine against the chart delivery, and one destination per
 * cluster for a hub Argo CD. Called by `validateMeshSpec` after the schema checked the shape.
 */
import { ChartDeliveryMode } from './choices';
import { MeshSpecDocument } from './document';
import { SpecPath, SpecProblem } from './errors';
import { ArgoCdTopology, GitOpsEngine } from './gitops';
import { isDns1123Subdomain } from './syntax';

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * Why `url` is not a repository URL spiremesh renders, or undefined. Accepted: `https://host/path`,
 * `ssh://[user@]host[:port]/path`, and the scp-like `user@host:path` that git and both engines read
 * (Argo CD: https://argo-cd.readthedocs.io/en/stable/user-guide/private-repositories/; Flux GitRepository
 * `spec.url`: "http/s or ssh", https://fluxcd.io/flux/components/source/gitrepositories/#url).
 */
export function repositoryUrlProblem(url: string): { message: string; fix: string } | undefined {
  const fix =
    "use the repository's https URL (https://github.com/org/repo.git) or its ssh URL (ssh://git@github.com/org/repo.git, or git@github.com:org/repo.git)";
  if (/\s/.test(url)) return { message: `repository URL '${url}' contains whitespace`, fix };
  const https = /^https:\/\/[^/@\s]+(:\d+)?\/\S+$/;
  const ssh = /^ssh:\/\/([^@/\s]+@)?[^/@:\s]+(:\d+)?\/\S+$/;
  // scp-like: user@host:path, where the path does not start with '/' then '/' (that would be a URL).
  const scp = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)\S+$/;
  if (https.test(url) || ssh.test(url) || scp.test(url)) return undefined;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'git' || scheme === 'file') {
    return {
      message: `repository URL '${url}' uses ${scheme}://, which neither authenticates the server nor encrypts the manifests the engines apply`,
      fix,
    };
  }
  return { message: `repository URL '${url}' is neither an https://, an ssh:// nor an scp-like user@host:path URL`, fix };
}

/**
 * Why `ref` is not a branch, tag or commit name git accepts, or undefined (git-check-ref-format(1):
 * no '..', no control characters, space, '~', '^', ':', '?', '*', '[', '\', no leading or trailing '/' or '.lock').
 */
function revisionProblem(ref: string): string | undefined {
  if (
    /[\s~^:?*[\\]/.test(ref) ||
    [...ref].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) ||
    ref.includes('..') ||
    ref.includes('@{') ||
    /^\/|\/$|\.lock$|^-/.test(ref)
  ) {
    return `revision '${ref}' is not a valid git branch, tag or commit name (git check-ref-format)`;
  }
  return undefined;
}

/** Why `prefix` is not a relative folder inside the repository, or undefined. */
function pathPrefixProblem(prefix: string): string | undefined {
  if (prefix === '.') return undefined;
  const parts = prefix.replace(/\/+$/, '').split('/');
  if (prefix.startsWith('/') || prefix.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    return `path prefix '${prefix}' is not a relative folder inside the repository (no leading '/', no '.' or '..' segments, '/' separators)`;
  }
  return undefined;
}

export function gitOpsProblems(doc: Partial<MeshSpecDocument>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const add = (path: SpecPath, message: string, fix: string) => problems.push({ path, message, fix });
  const clusters = Array.isArray(doc.clusters) ? doc.clusters : [];
  const gitops = doc.gitops && typeof doc.gitops === 'object' ? doc.gitops : undefined;
  const destinations = clusters.map((c, i) => ({
    i,
    name: c && str(c.name) ? c.name : `clusters[${i}]`,
    d: c && c.argoCdDestination && typeof c.argoCdDestination === 'object' ? c.argoCdDestination : undefined,
  }));

  if (!gitops) {
    for (const { i } of destinations.filter((x) => x.d)) {
      add(
        ['clusters', i, 'argoCdDestination'],
        'argoCdDestination is only read by the fleet bootstrap of a hub Argo CD, and the spec has no gitops section',
        "remove argoCdDestination, or add gitops: { repository: ..., argoCdTopology: 'hub' }",
      );
    }
    return problems;
  }

  if (str(gitops.repository)) {
    const p = repositoryUrlProblem(gitops.repository);
    if (p) add(['gitops', 'repository'], p.message, p.fix);
  }
  if (str(gitops.revision)) {
    const p = revisionProblem(gitops.revision);
    if (p) add(['gitops', 'revision'], p, "use the branch the output folder is committed to, e.g. 'main'");
  }
  if (str(gitops.pathPrefix)) {
    const p = pathPrefixProblem(gitops.pathPrefix);
    if (p)
      add(
        ['gitops', 'pathPrefix'],
        p,
        "write the folder that holds the cluster directories, relative to the repository root, e.g. 'dist' (or '.')",
      );
  }

  const deliveryMode = str(doc.chartDelivery?.mode) ? doc.chartDelivery.mode : ChartDeliveryMode.ARGO_CD.value;
  const engine = str(gitops.engine)
    ? gitops.engine
    : deliveryMode === ChartDeliveryMode.FLUX.value
      ? GitOpsEngine.FLUX.value
      : GitOpsEngine.ARGO_CD.value;
  // Argo CD Applications (argocd delivery) are reconciled by Argo CD, HelmReleases (flux delivery) by Flux's helm-controller.
  if (deliveryMode === ChartDeliveryMode.ARGO_CD.value && engine === GitOpsEngine.FLUX.value) {
    add(
      ['gitops', 'engine'],
      "chart delivery 'argocd' renders Argo CD Applications, which only an Argo CD reconciles: Flux would apply them and nothing would install the charts",
      "set gitops.engine to 'argocd', or chartDelivery.mode to 'flux'",
    );
  }
  if (deliveryMode === ChartDeliveryMode.FLUX.value && engine === GitOpsEngine.ARGO_CD.value) {
    add(
      ['gitops', 'engine'],
      "chart delivery 'flux' renders Flux HelmReleases, whose CRDs and controllers come with Flux: an Argo CD alone would apply them and nothing would install the charts",
      "set gitops.engine to 'flux', or chartDelivery.mode to 'argocd'",
    );
  }

  const topology = str(gitops.argoCdTopology) ? gitops.argoCdTopology : undefined;
  if (topology !== undefined && engine !== GitOpsEngine.ARGO_CD.value) {
    add(
      ['gitops', 'argoCdTopology'],
      `argoCdTopology applies to Argo CD, not to the '${engine}' engine (Flux runs in every cluster)`,
      "remove gitops.argoCdTopology, or set gitops.engine to 'argocd'",
    );
  }
  // Flux's GitRepository CRD allows only `^(http|https|ssh)://.*$` as spec.url (fluxcd/source-controller v1.9.1,
  // config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml).
  const scp = str(gitops.repository) && repositoryUrlProblem(gitops.repository) === undefined && !/^[a-z]+:\/\//.test(gitops.repository);
  if (engine === GitOpsEngine.FLUX.value && scp) {
    const [userHost, ...rest] = gitops.repository.split(':');
    add(
      ['gitops', 'repository'],
      `Flux's GitRepository takes only http(s):// and ssh:// URLs, not the scp-like '${gitops.repository}'`,
      `write it as ssh://${userHost}/${rest.join(':')}`,
    );
  }
  if (str(gitops.secretName)) {
    if (engine !== GitOpsEngine.FLUX.value) {
      add(
        ['gitops', 'secretName'],
        'secretName is the credentials Secret of the Flux GitRepository; Argo CD reads repository credentials from its own repository Secrets',
        `remove gitops.secretName and register the repository in Argo CD (argocd repo add ${gitops.repository ?? '<repository>'} ...)`,
      );
    } else if (!isDns1123Subdomain(gitops.secretName)) {
      add(
        ['gitops', 'secretName'],
        `Secret name '${gitops.secretName}' is not a DNS-1123 subdomain`,
        "use the name given to flux create secret git, e.g. 'spiremesh-git'",
      );
    }
  } else if (engine === GitOpsEngine.FLUX.value && str(gitops.repository) && !gitops.repository.startsWith('https://')) {
    add(
      ['gitops', 'secretName'],
      `Flux clones the ssh repository '${gitops.repository}' only with a key, from a Secret the GitRepository names`,
      `create it with \`flux create secret git spiremesh-git --url=${gitops.repository}\` and set gitops.secretName: spiremesh-git`,
    );
  }

  const hub = engine === GitOpsEngine.ARGO_CD.value && topology === ArgoCdTopology.HUB.value;
  const seen = new Map<string, string>();
  for (const { i, name, d } of destinations) {
    const at: SpecPath = ['clusters', i, 'argoCdDestination'];
    if (!hub) {
      if (d)
        add(
          at,
          `argoCdDestination of cluster '${name}' is not used: ${engine === GitOpsEngine.ARGO_CD.value ? 'an in-cluster Argo CD deploys to https://kubernetes.default.svc' : 'Flux applies each cluster directory in its own cluster'}`,
          "remove argoCdDestination, or set gitops.argoCdTopology to 'hub'",
        );
      continue;
    }
    if (!d) {
      add(
        at,
        `cluster '${name}' has no argoCdDestination, but a hub Argo CD needs to know which of its clusters is '${name}'`,
        `set clusters[${i}].argoCdDestination.server to ${name}'s API server URL as registered in the hub (argocd cluster list), or .name to its Argo CD cluster name`,
      );
      continue;
    }
    const hasServer = str(d.server);
    const hasName = str(d.name);
    if (hasServer === hasName) {
      add(
        at,
        hasServer
          ? 'argoCdDestination sets both server and name; Argo CD refuses a destination with both'
          : 'argoCdDestination sets neither server nor name',
        'keep exactly one: server (the API server URL) or name (the Argo CD cluster name)',
      );
      continue;
    }
    if (hasServer && !/^https:\/\/[^/\s]+(\/\S*)?$/.test(d.server as string)) {
      add(
        [...at, 'server'],
        `API server '${d.server}' is not an https:// URL`,
        'write the URL Argo CD knows the cluster by (argocd cluster list), e.g. https://203.0.113.10:6443',
      );
    }
    const key = hasServer ? `server ${(d.server as string).replace(/\/+$/, '')}` : `name ${d.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      add(
        at,
        `argoCdDestination ${key} of cluster '${name}' is also the destination of cluster '${first}': both directories would be synced into one cluster`,
        'give every cluster the server or name of its own Argo CD cluster',
      );
    } else seen.set(key, name);
  }
  return problems;
}
