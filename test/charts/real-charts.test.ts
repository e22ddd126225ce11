/**
 * Real charts in CI: every Istio and SPIRE chart release that any committed example mesh
 * (test/variants/matrix.ts VARIANTS) delivers to any of its clusters is rendered with the real
 * helm binary from the real archives of ../shared/charts (SOURCES.md there: upstream Istio 1.29.1,
 * the Solo 1.29.0 snapshot standing in for 1.29.1-solo, spire-crds 0.5.0), with the values spiremesh
 * delivers and the flags of its own helm-template delivery. A missing archive fails, never skips.
 *
 * For each release: helm exits 0, and every delivered value path is one the chart declares or one
 * of its templates reads (./value-paths.ts), so no value is silently ignored. Then the facts that
 * make the mesh work are asserted on the rendered objects: the trust domain of istiod's mesh
 * config, the Solo ztunnel's mount of the SPIRE agent's admin socket (ambient), the `spire`
 * injection template and its selection (sidecar), the gateways' Services, the SPIRE CRDs.
 *
 * The apps are only declared (no synth): releases are handed to the delivery when components are
 * constructed, so `MeshCluster.delivery.releases` holds them all.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { ChartRelease, DataplaneMode, Istio, MeshCluster, SPIRE_NAMES, Spire } from '../../lib';
import { WORKLOAD_SOCKET_MOUNT_PATH } from '../../lib/istio/values';
import { SPIRE_API_GROUP, SPIRE_PATHS } from '../../lib/spire/names';
import { helmBinary, SHARED_CHARTS, sharedChartArchive } from '../variants/harness';
import { Variant, VARIANTS } from '../variants/matrix';
import { HelmCharts, RenderedObject, RenderResult } from './helm-charts';
import { checkValuePaths, ValuePathReport } from './value-paths';

/** Istio charts (istio/istio manifests/charts, and Solo's build of them): rendered from ../shared/charts. */
const ISTIO_CHARTS: readonly string[] = ['base', 'istiod', 'cni', 'ztunnel', 'gateway'];
/** SPIRE charts (spiffe/helm-charts-hardened): rendered from ../shared/charts. */
const SPIRE_CHARTS: readonly string[] = ['spire-crds', 'spire'];
/**
 * Charts that are neither Istio's nor SPIRE's, with the reason they are not rendered here. Any
 * other chart a variant delivers fails the test: give it an archive or list it here.
 */
const NOT_RENDERED: Readonly<Record<string, string>> = {
  tiny: "a team's own chart (test/delivery/wiring.test.ts packages and renders it itself); it has no archive in ../shared/charts",
};

/** The kinds whose CRDs the spire-crds chart must render (the controller manager's kinds, spire-crds 0.5.0 templates/). */
const SPIRE_CRD_KINDS = ['ClusterSPIFFEID', 'ClusterFederatedTrustDomain', 'ClusterStaticEntry'];

/**
 * Where seed 004 (Istio's SPIRE integration, https://istio.io/latest/docs/ops/integrations/spire/)
 * mounts the SPIFFE CSI volume in istio-proxy; Envoy's SDS reads `<folder>/socket`.
 */
const SEED_004_WORKLOAD_SOCKET_FOLDER = '/run/secrets/workload-spiffe-uds';

/**
 * The port of the classic east-west gateway: `tls` 15443, AUTO_PASSTHROUGH (istio/istio samples/multicluster/
 * gen-eastwest-gateway.sh and expose-services.yaml, 1.29.1; the gateway chart's `networkGateway` ports).
 */
const CROSS_NETWORK_PORT = 15443;

interface Row {
  readonly variant: string;
  readonly clusterName: string;
  readonly cluster: MeshCluster;
  readonly release: ChartRelease;
  /** Plain values, as delivered (lazy values produced). */
  readonly values: Record<string, unknown>;
  /** 'render' (Istio/SPIRE), 'ignored' (NOT_RENDERED) or 'unknown' (a chart this test does not know). */
  readonly treatment: 'render' | 'ignored' | 'unknown';
  /** Absolute path of the archive in ../shared/charts (rendered releases). */
  readonly archive?: string;
}

interface Outcome {
  readonly render?: RenderResult;
  readonly paths?: ValuePathReport;
  /** Why the release could not be rendered (missing archive). */
  readonly problem?: string;
}

/** The values as plain data: a cdk8s Lazy is produced; any other non-plain object is an error naming its path. */
function plainValues(v: unknown, where: string): unknown {
  if (Array.isArray(v)) return v.map((x, i) => plainValues(x, `${where}[${i}]`));
  if (v === null || typeof v !== 'object') return v;
  const produce = (v as { produce?: unknown }).produce;
  if (typeof produce === 'function') return plainValues((produce as () => unknown).call(v), where);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null)
    throw new Error(`${where} is a ${proto?.constructor?.name ?? 'non-plain object'}, not chart values`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainValues(x, `${where}.${k}`)]));
}

function meshClustersOf(app: App): MeshCluster[] {
  return app.node.findAll().filter((c): c is MeshCluster => MeshCluster.isMeshCluster(c));
}

/**
 * Declares `variant` into a fresh app, from an empty scratch folder: helm-template mode finds no
 * archives there and renders nothing at construction (this test renders instead).
 */
function declare(variant: Variant): App {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `spiremesh-real-charts-${variant.name}-`));
  const cwd = process.cwd();
  try {
    process.chdir(scratch);
    const app = new App({ outdir: path.join(scratch, 'dist') });
    variant.declare(app);
    return app;
  } finally {
    process.chdir(cwd);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function rowsOf(variant: Variant, app: App): Row[] {
  return meshClustersOf(app).flatMap((cluster) =>
    cluster.delivery.releases.map((release): Row => {
      const known = ISTIO_CHARTS.includes(release.chart) || SPIRE_CHARTS.includes(release.chart);
      const values = plainValues(release.values, `values of release '${release.id}'`) as Record<string, unknown>;
      return {
        variant: variant.name,
        clusterName: cluster.cluster.name,
        cluster,
        release,
        values,
        treatment: known ? 'render' : release.chart in NOT_RENDERED ? 'ignored' : 'unknown',
        archive: known ? sharedChartArchive(release.chart, release.version) : undefined,
      };
    }),
  );
}

const apps = new Map<string, App>(VARIANTS.map((v) => [v.name, declare(v)]));
const rows: readonly Row[] = VARIANTS.flatMap((v) => rowsOf(v, apps.get(v.name)!));
const clusterRows = VARIANTS.flatMap((v) =>
  meshClustersOf(apps.get(v.name)!).map((cluster) => ({ variant: v.name, clusterName: cluster.cluster.name, cluster })),
);
const outcomes = new Map<Row, Outcome>();
let charts: HelmCharts;
let started: bigint;

const label = (r: Row) => `${r.variant}/${r.clusterName}: release '${r.release.id}' (chart ${r.release.chart} ${r.release.version})`;

function outcome(r: Row): Outcome {
  const o = outcomes.get(r);
  if (!o) throw new Error(`${label(r)} was not rendered (beforeAll failed?)`);
  return o;
}

/** The rendered objects of a release that rendered; throws with helm's message otherwise. */
function rendered(r: Row): readonly RenderedObject[] {
  const o = outcome(r);
  if (o.problem) throw new Error(o.problem);
  if (o.render!.exitCode !== 0)
    throw new Error(`${label(r)}: ${o.render!.command} exited with ${o.render!.exitCode}:\n${o.render!.stderr.trim()}`);
  return o.render!.objects;
}

function releaseOf(cluster: MeshCluster, chart: string): Row[] {
  return rows.filter((r) => r.cluster === cluster && r.release.chart === chart && r.treatment === 'render');
}

function onlyReleaseOf(cluster: MeshCluster, chart: string): Row {
  const found = releaseOf(cluster, chart);
  if (found.length !== 1)
    throw new Error(`cluster ${cluster.cluster.name} delivers ${found.length} releases of chart ${chart}, expected one`);
  return found[0];
}

function objectOf(objects: readonly RenderedObject[], kind: string, name: string): RenderedObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) {
    const have = objects.filter((o) => o.kind === kind).map((o) => o.metadata?.name);
    throw new Error(
      `expected one ${kind} '${name}' in the render, found ${found.length} (${kind}s rendered: ${have.join(', ') || 'none'})`,
    );
  }
  return found[0];
}

/**
 * `istio` / `istio-sidecar-injector`, suffixed `-<revision>` for a revisioned control plane (templates/configmap.yaml and
 * istiod-injector-configmap.yaml of the istiod chart, 1.29.1).
 */
function revisioned(name: string, cluster: MeshCluster): string {
  return cluster.cluster.istioRevision ? `${name}-${cluster.cluster.istioRevision}` : name;
}

type Container = {
  name: string;
  env?: Array<{ name: string; value?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
};
interface PodSpec {
  readonly containers?: Container[];
  readonly initContainers?: Container[];
  readonly volumes?: Array<{ name: string; hostPath?: { path: string }; csi?: { driver: string; readOnly?: boolean } }>;
}

type ServiceSpec = { type?: string; ports?: Array<{ name?: string; port: number; targetPort?: number | string }> };

function podSpecOf(o: RenderedObject | { spec?: unknown }): PodSpec {
  const spec = (o as { spec?: { template?: { spec?: PodSpec } } }).spec;
  return spec?.template?.spec ?? ((o as { spec?: PodSpec }).spec as PodSpec) ?? {};
}

function container(spec: PodSpec, name: string) {
  const c = spec.containers?.find((x) => x.name === name);
  if (!c) throw new Error(`no container '${name}' (containers: ${(spec.containers ?? []).map((x) => x.name).join(', ')})`);
  return c;
}

beforeAll(async () => {
  started = process.hrtime.bigint();
  charts = new HelmCharts(helmBinary());
  await Promise.all(
    rows
      .filter((r) => r.treatment === 'render')
      .map(async (r) => {
        const archive = charts.archive(r.archive!);
        if (!archive.exists) {
          outcomes.set(r, {
            problem:
              `${label(r)}: chart archive ${r.archive} is missing. The real-chart test needs ../shared/charts ` +
              `(${SHARED_CHARTS}) with the archives listed in its SOURCES.md; it fails rather than skips`,
          });
          return;
        }
        const [render, paths] = await Promise.all([
          charts.render(archive, r.release.releaseName, r.release.namespace, r.values),
          checkValuePaths(archive, r.release.chart, r.values),
        ]);
        outcomes.set(r, { render, paths });
      }),
  );
}, 300_000);

afterAll(() => {
  if (!charts) return;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = [`real charts: ${charts.templateRuns} helm template runs for ${outcomes.size} releases in ${seconds.toFixed(1)} s`];
  for (const v of VARIANTS) {
    const mine = rows.filter((r) => r.variant === v.name);
    const byChart = new Map<string, number>();
    for (const r of mine) {
      const o = outcomes.get(r);
      const ok = o?.render?.exitCode === 0 && (o.paths?.unknown.length ?? 0) === 0;
      const key = `${r.release.chart}@${r.release.version}${r.treatment === 'render' ? (ok ? '' : ' FAILED') : ` ${r.treatment}`}`;
      byChart.set(key, (byChart.get(key) ?? 0) + 1);
    }
    lines.push(`  ${v.name}: ${[...byChart].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  }
  // What the value-path verdicts relied on beyond values.yaml, once per chart archive and path.
  const relied = new Set<string>();
  const unknown = new Set<string>();
  for (const r of rows) {
    const paths = outcomes.get(r)?.paths;
    const archive = path.relative(SHARED_CHARTS, r.archive ?? '');
    for (const d of paths?.directReads ?? []) relied.add(`${archive}: ${d.path} (read by ${d.templates.join(', ')})`);
    for (const f of paths?.used ?? []) if ('path' in f) relied.add(`${archive}: ${(f as { path: string }).path}.* (${f.template})`);
    for (const u of paths?.unknown ?? []) unknown.add(`${archive}: ${u.path}`);
  }
  if (relied.size > 0)
    lines.push(
      `  read by templates, not declared in values.yaml:\n${[...relied]
        .sort()
        .map((x) => `    ${x}`)
        .join('\n')}`,
    );
  if (unknown.size > 0)
    lines.push(
      `  delivered but neither declared nor read:\n${[...unknown]
        .sort()
        .map((x) => `    ${x}`)
        .join('\n')}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
  charts.dispose();
});

describe('every Istio and SPIRE release of every variant, rendered with the real helm and the real charts', () => {
  test('the variants deliver releases, and every Istio and SPIRE release of each cluster is collected', () => {
    for (const { variant, clusterName, cluster } of clusterRows) {
      const collected = rows.filter((r) => r.cluster === cluster).map((r) => r.release.id);
      const istio = Istio.of(cluster);
      if (istio) {
        const ids = (Object.values(istio.releases) as Array<ChartRelease | readonly ChartRelease[] | undefined>)
          .flat()
          .flatMap((x) => (x ? [x.id] : []));
        expect({ variant, clusterName, missing: ids.filter((id) => !collected.includes(id)) }).toEqual({
          variant,
          clusterName,
          missing: [],
        });
      }
      if (Spire.of(cluster))
        expect({ variant, clusterName, crds: collected.includes('spire-crds') }).toEqual({ variant, clusterName, crds: true });
    }
    for (const v of VARIANTS)
      expect({ variant: v.name, rendered: rows.some((r) => r.variant === v.name && r.treatment === 'render') }).toEqual({
        variant: v.name,
        rendered: true,
      });
  });

  test('every chart a variant delivers is an Istio or SPIRE chart with an archive, or listed as not rendered (with the reason)', () => {
    const unknown = rows
      .filter((r) => r.treatment === 'unknown')
      .map((r) => `${label(r)}: add its archive to ../shared/charts or list it in NOT_RENDERED`);
    expect(unknown).toEqual([]);
  });

  test.each(rows.filter((r) => r.treatment === 'render').map((r) => [label(r), r] as const))('%s: helm template exits 0', (_name, r) => {
    expect(rendered(r).length).toBeGreaterThan(0);
  });

  test.each(rows.filter((r) => r.treatment === 'render').map((r) => [label(r), r] as const))(
    '%s: every delivered value path is declared by the chart or read by its templates',
    (_name, r) => {
      const o = outcome(r);
      if (o.problem) throw new Error(o.problem);
      const unknown = o.paths!.unknown.map(
        (u) =>
          `${u.path}: not in the chart's values.yaml and no template reads it` +
          (u.mentionedBy.length > 0 ? ` (a key '${u.path.split('.').pop()}' appears at other paths in ${u.mentionedBy.join(', ')})` : ''),
      );
      expect({ release: label(r), unknown }).toEqual({ release: label(r), unknown: [] });
    },
  );
});

describe('facts on the rendered objects', () => {
  test.each(clusterRows.filter((c) => Istio.of(c.cluster)).map((c) => [`${c.variant}/${c.clusterName}`, c] as const))(
    "%s: istiod's mesh config (ConfigMap istio) has the cluster's trust domain",
    (_name, { cluster }) => {
      const objects = rendered(onlyReleaseOf(cluster, 'istiod'));
      const configMap = objectOf(objects, 'ConfigMap', revisioned('istio', cluster)) as { data?: Record<string, string> };
      const mesh = parse(configMap.data?.mesh ?? '') as { trustDomain?: string };
      expect(mesh.trustDomain).toBe(cluster.cluster.trustDomain);
    },
  );

  test.each(
    clusterRows
      .filter((c) => c.cluster.cluster.dataplaneMode === DataplaneMode.AMBIENT && Istio.of(c.cluster))
      .map((c) => [`${c.variant}/${c.clusterName}`, c] as const),
  )(
    '%s (ambient): the ztunnel DaemonSet mounts the node folder where the SPIRE agent serves its admin socket, and asks that socket for certificates',
    (_name, { cluster }) => {
      // The agent side: the socket the agent config serves, and the node folder the agent DaemonSet puts it in.
      const spire = Spire.of(cluster);
      expect(spire).toBeDefined();
      const adminSocket = spire!.agent.config.agent.admin_socket_path as string | undefined;
      expect(adminSocket).toBe(`${SPIRE_PATHS.agentAdminSocketDir}/${SPIRE_PATHS.agentAdminSocketName}`);
      const agentPod = podSpecOf(spire!.agent.resource.toJson() as RenderedObject);
      // The container that serves the socket mounts a volume at the socket's folder.
      const agentMounts = (agentPod.containers ?? []).flatMap((c) =>
        (c.volumeMounts ?? []).filter((m) => m.mountPath === path.posix.dirname(adminSocket!)),
      );
      expect(agentMounts).toHaveLength(1);
      const agentMount = agentMounts[0];
      const agentHostFolder = agentPod.volumes?.find((v) => v.name === agentMount.name)?.hostPath?.path;
      expect(agentHostFolder).toBe(SPIRE_PATHS.agentAdminSocketHostDir);

      // The ztunnel side: the values spiremesh delivers, and the DaemonSet the Solo chart renders from them.
      const ztunnel = onlyReleaseOf(cluster, 'ztunnel');
      const spireValues = ztunnel.values.spire as { enabled?: boolean; adminSockHostPath?: string };
      expect(spireValues).toEqual({ enabled: true, adminSockHostPath: agentHostFolder });
      const daemonSet = podSpecOf(objectOf(rendered(ztunnel), 'DaemonSet', ztunnel.release.releaseName));
      const hostVolume = daemonSet.volumes?.filter((v) => v.hostPath?.path === agentHostFolder) ?? [];
      expect(hostVolume).toHaveLength(1);
      const proxy = container(daemonSet, 'istio-proxy');
      const mounts = proxy.volumeMounts?.filter((m) => m.name === hostVolume[0].name) ?? [];
      expect(mounts).toHaveLength(1);
      const inContainer = `${mounts[0].mountPath}/${path.posix.basename(adminSocket!)}`;
      expect(proxy.env?.find((e) => e.name === 'CA_ADDRESS')?.value).toBe(`unix://${inContainer}`);
    },
  );

  test('the spire injection template mounts the folder of seed 004', () => {
    expect(WORKLOAD_SOCKET_MOUNT_PATH).toBe(SEED_004_WORKLOAD_SOCKET_FOLDER);
  });

  const sidecarClusters = clusterRows
    .filter((c) => c.cluster.cluster.dataplaneMode === DataplaneMode.SIDECAR && Istio.of(c.cluster))
    .map((c) => [`${c.variant}/${c.clusterName}`, c] as const);

  /** The injector's `config` of a cluster's rendered istiod (ConfigMap istio-sidecar-injector[-<revision>]). */
  const injectorConfig = (cluster: MeshCluster) => {
    const configMap = objectOf(rendered(onlyReleaseOf(cluster, 'istiod')), 'ConfigMap', revisioned('istio-sidecar-injector', cluster)) as {
      data?: Record<string, string>;
    };
    return parse(configMap.data?.config ?? '') as { defaultTemplates?: string[]; templates?: Record<string, string> };
  };

  /**
   * The pod patch an injection template renders for a pod without annotations, with native sidecars on or off
   * (`.NativeSidecars`, which Istio 1.29 derives from the nodes' kubelet versions; pkg/kube/inject/webhook.go).
   */
  const patchOf = async (template: string, nativeSidecars: boolean): Promise<PodSpec> => {
    const context = { ObjectMeta: { Name: 'app', Namespace: 'default', Annotations: {}, Labels: {} }, NativeSidecars: nativeSidecars };
    const out = parse(await charts.executeGoTemplate(template, context)) as { spec?: PodSpec } | null;
    return out?.spec ?? {};
  };

  /** The mount of the SPIFFE CSI volume at the seed's folder in istio-proxy of `list`, or why there is none. */
  const csiMount = (pod: PodSpec, list: 'containers' | 'initContainers') => {
    const proxy = (pod[list] ?? []).filter((c) => c.name === 'istio-proxy');
    const mounts = proxy.flatMap((c) => c.volumeMounts ?? []).filter((m) => m.mountPath === WORKLOAD_SOCKET_MOUNT_PATH);
    const volumes = mounts.map((m) => pod.volumes?.find((v) => v.name === m.name));
    return {
      proxyIn: proxy.length,
      mounts: mounts.map((m, i) => ({ readOnly: m.readOnly ?? false, driver: volumes[i]?.csi?.driver })),
    };
  };
  const expectedMount = { proxyIn: 1, mounts: [{ readOnly: true, driver: SPIRE_NAMES.csiPluginName }] };

  if (sidecarClusters.length > 0) {
    test.each(sidecarClusters)(
      '%s (sidecar): the rendered injector has a spire template mounting the SPIFFE CSI volume read-only into istio-proxy',
      async (_name, { cluster }) => {
        const template = injectorConfig(cluster).templates?.spire;
        expect(typeof template).toBe('string');
        // istio-proxy is a container, or with native sidecars an init container (the `sidecar` template,
        // files/injection-template.yaml of the istiod chart 1.29.1: `{{ if not $nativeSidecar }} containers:`).
        expect(csiMount(await patchOf(template!, false), 'containers')).toEqual(expectedMount);
        expect(csiMount(await patchOf(template!, true), 'initContainers')).toEqual(expectedMount);
      },
    );

    test.each(sidecarClusters)(
      '%s (sidecar): the injector selects the spire template, after sidecar, for every injected pod',
      (_name, { cluster }) => {
        const defaults = injectorConfig(cluster).defaultTemplates ?? [];
        expect(defaults).toEqual(expect.arrayContaining(['sidecar', 'spire']));
        expect(defaults.indexOf('sidecar')).toBeLessThan(defaults.indexOf('spire'));
      },
    );
  }

  const portsOf = (ports: ServiceSpec['ports']) => (ports ?? []).map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort }));

  /**
   * The Deployment (or DaemonSet, `.Values.kind`) and Service of a gateway release, named `.Values.name` or the release
   * name (templates/_helpers.tpl `gateway.name` of the gateway chart, 1.29.1).
   */
  const gatewayObjects = (r: Row) => {
    const objects = rendered(r);
    const name = (r.values.name as string | undefined) || r.release.releaseName;
    return {
      workload: objectOf(objects, (r.values.kind as string | undefined) ?? 'Deployment', name) as RenderedObject & {
        spec?: { template?: { metadata?: { annotations?: Record<string, string> }; spec?: PodSpec } };
      },
      service: objectOf(objects, 'Service', name) as RenderedObject & { metadata: { labels?: Record<string, string> }; spec?: ServiceSpec },
    };
  };

  /**
   * In a sidecar cluster, a gateway pod's `inject.istio.io/templates` annotation replaces defaultTemplates (selectTemplates,
   * istio/istio pkg/kube/inject/inject.go 1.29.1): the templates it names must exist, and one that spiremesh adds must
   * give istio-proxy the SPIFFE CSI volume (Istio's own templates use the injector's own functions and are not evaluated).
   */
  const expectSpireSocketOnGateway = async (cluster: MeshCluster, workload: ReturnType<typeof gatewayObjects>['workload']) => {
    const selected = (workload.spec?.template?.metadata?.annotations?.['inject.istio.io/templates'] ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const templates = injectorConfig(cluster).templates ?? {};
    expect({ gateway: workload.metadata.name, unknownTemplates: selected.filter((t) => !(t in templates)) }).toEqual({
      gateway: workload.metadata.name,
      unknownTemplates: [],
    });
    const istiod = onlyReleaseOf(cluster, 'istiod').values as { sidecarInjectorWebhook?: { templates?: object } };
    const added = Object.keys(istiod.sidecarInjectorWebhook?.templates ?? {});
    const mounts = await Promise.all(
      selected.filter((t) => added.includes(t)).map(async (t) => csiMount(await patchOf(templates[t], false), 'containers')),
    );
    expect(mounts).toContainEqual(expectedMount);
  };

  const gatewayRows = rows.filter((r) => r.release.chart === 'gateway' && r.treatment === 'render');
  if (gatewayRows.length > 0) {
    test.each(gatewayRows.map((r) => [label(r), r] as const))(
      '%s: the gateway Deployment and Service render with the Service type and ports its values declare (and the SPIRE socket in sidecar clusters)',
      async (_name, r) => {
        const { workload, service } = gatewayObjects(r);
        const declared = (r.values.service ?? {}) as ServiceSpec;
        if (declared.type) expect(service.spec?.type).toBe(declared.type);
        // With networkGateway the chart renders its own port list and ignores service.ports (templates/service.yaml).
        if (declared.ports && !r.values.networkGateway) expect(portsOf(service.spec?.ports)).toEqual(portsOf(declared.ports));
        if (r.cluster.cluster.dataplaneMode === DataplaneMode.SIDECAR) await expectSpireSocketOnGateway(r.cluster, workload);
      },
    );
  }

  const eastWestRows = gatewayRows.filter((r) => r.values.networkGateway !== undefined);
  if (eastWestRows.length > 0) {
    test.each(eastWestRows.map((r) => [label(r), r] as const))(
      "%s: the east-west gateway serves the cluster's network on 15443 with the cluster's east-west Service type",
      (_name, r) => {
        const { network, eastWestServiceType } = r.cluster.cluster;
        expect(r.values.networkGateway).toBe(network);
        const { workload, service } = gatewayObjects(r);
        // templates/service.yaml and deployment.yaml of the gateway chart (1.29.1) for `networkGateway`.
        expect(service.metadata.labels?.['topology.istio.io/network']).toBe(network);
        expect(service.spec?.type).toBe(eastWestServiceType.value);
        expect(portsOf(service.spec?.ports)).toContainEqual({ name: 'tls', port: CROSS_NETWORK_PORT, targetPort: CROSS_NETWORK_PORT });
        const proxy = container(workload.spec?.template?.spec ?? {}, 'istio-proxy');
        expect(proxy.env?.find((e) => e.name === 'ISTIO_META_REQUESTED_NETWORK_VIEW')?.value).toBe(network);
      },
    );
  }

  const declaredIngress = clusterRows.flatMap((c) =>
    c.cluster.cluster.ingressGateways.map(
      (g) => [`${c.variant}/${c.clusterName}: ingress gateway ${g.namespace}/${g.name}`, c, g] as const,
    ),
  );
  if (declaredIngress.length > 0) {
    test.each(declaredIngress)(
      '%s renders through the gateway chart with the declared Service type and ports',
      (_name, { cluster }, gateway) => {
        const mine = releaseOf(cluster, 'gateway').filter(
          (r) =>
            r.release.namespace === gateway.namespace && ((r.values.name as string | undefined) || r.release.releaseName) === gateway.name,
        );
        expect(mine).toHaveLength(1);
        const { service } = gatewayObjects(mine[0]);
        expect(service.spec?.type).toBe(gateway.serviceType.value);
        expect(portsOf(service.spec?.ports)).toEqual(gateway.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })));
      },
    );
  }

  test.each(rows.filter((r) => r.release.chart === 'spire-crds' && r.treatment === 'render').map((r) => [label(r), r] as const))(
    '%s: renders the CRDs of ClusterSPIFFEID, ClusterFederatedTrustDomain and ClusterStaticEntry',
    (_name, r) => {
      const crds = rendered(r)
        .filter((o) => o.kind === 'CustomResourceDefinition')
        .map((o) => o.spec as { group?: string; names?: { kind?: string } })
        .filter((s) => s.group === SPIRE_API_GROUP)
        .map((s) => s.names?.kind);
      expect(crds).toEqual(expect.arrayContaining(SPIRE_CRD_KINDS));
    },
  );
});
