/**
 * First-sync order of every committed output (dist/, examples/<name>/dist, test/variants/expected/<variant>): on a new
 * cluster, no object is applied before the CRD of its kind and the namespace it lives in (docs/first-sync.md).
 *
 * - which CRDs a chart or manifest source installs is the table in lib/delivery/crd-sources.ts, checked here against
 *   the real charts (helm template of ../shared/charts) and the Gateway API CRD files (../shared/crds/gateway-api);
 * - argocd outputs: every kind Kubernetes does not serve carries SkipDryRunOnMissingResource, every object whose CRD the
 *   output delivers is in a later sync wave than the Application (or rendered CRD) that delivers it, and every namespaced
 *   object's Namespace is created in an earlier or the same wave;
 * - flux, helm-template outputs: objects whose CRD the output delivers are in `_after-crds/` (applied after the cluster
 *   directory), never in the same apply as what delivers their CRD; the HelmRelease dependsOn chain is complete; in
 *   flux mode the Gateway API CRDs are delivered by a Flux Kustomization of the cluster directory;
 * - fleet bootstraps (`_fleet/`): a staged cluster directory has a second Flux Kustomization that dependsOn the first,
 *   whose health checks name every HelmRelease and Kustomization that delivers CRDs, or a second Argo CD Application;
 * - every kustomization.yaml lists a Namespace and a CustomResourceDefinition before the objects that need them.
 *
 * Needs the helm binary (SPIREMESH_HELM or scripts/fetch-helm.sh) and ../shared: it fails, never skips, without them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { GATEWAY_API_CRD_PATH, GATEWAY_API_REPOSITORY } from '../../lib/istio';
import { CHART_CRD_FACTS, MANIFEST_CRD_FACTS, crdGroupsOfRelease, crdGroupsOfSource } from '../../lib/delivery/crd-sources';
import { GLOO_OPERATOR_CHART } from '../../lib/delivery/gloo-operator';
import { isBuiltInKind } from '../../lib/delivery/kind-scopes';
import { ServiceMeshController } from '../../imports/gloo-operator-servicemeshcontroller-operator.gloo.solo.io';
import { CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE } from '../../lib/pki/cert-manager';
import {
  AFTER_CRDS_STAGE,
  APPLY_STAGE_ANNOTATION,
  ARGO_SKIP_DRY_RUN_OPTION,
  ARGO_SYNC_OPTIONS_ANNOTATION,
  ARGO_SYNC_WAVE_ANNOTATION,
} from '../../lib/delivery/names';
import { FLEET_DIRECTORY } from '../../lib/gitops/fleet';
import { SHARED_CHARTS, expectedDir, helmBinary } from '../variants/harness';
import { VARIANTS } from '../variants/matrix';

const ROOT = path.resolve(__dirname, '../..');
const SHARED_CRDS = path.resolve(ROOT, '../shared/crds');
const KUSTOMIZATION = 'kustomization.yaml';
const STAGE_DIR = `_${AFTER_CRDS_STAGE}`;

// ---------------------------------------------------------------------------------------------
// The facts: which CRDs the delivered charts and sources install.

function helmTemplateCrds(archive: string): { group: string; kind: string }[] {
  if (!fs.existsSync(archive)) throw new Error(`${archive} is missing: this test renders the real chart`);
  const out = execFileSync(helmBinary(), ['template', 'x', archive, '--include-crds', '--namespace', 'istio-system'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(out)
    .map((d) => d.toJSON())
    .filter((o) => o?.kind === 'CustomResourceDefinition')
    .map((o) => ({ group: o.spec.group, kind: o.spec.names.kind }));
}

describe('CRD facts (lib/delivery/crd-sources.ts) against the real artifacts', () => {
  const groupsOf = (chart: string) => CHART_CRD_FACTS.find((f) => f.chart === chart)?.groups ?? [];

  test('spire-crds 0.5.0 installs exactly the spire.spiffe.io CRDs', () => {
    const crds = helmTemplateCrds(path.join(SHARED_CHARTS, 'spire-crds-0.5.0.tgz'));
    expect(crds.map((c) => c.kind).sort()).toEqual(['ClusterFederatedTrustDomain', 'ClusterSPIFFEID', 'ClusterStaticEntry']);
    expect([...new Set(crds.map((c) => c.group))]).toEqual(groupsOf('spire-crds'));
  });

  test('Istio base (upstream 1.29.1 and the Solo snapshot) installs the groups of the base row, and only those', () => {
    const upstream = helmTemplateCrds(path.join(SHARED_CHARTS, 'base-1.29.1.tgz'));
    const solo = helmTemplateCrds(path.join(SHARED_CHARTS, 'solo-snapshot/base-1.29.0-solo-snapshot.tgz'));
    expect(upstream.some((c) => c.group === 'networking.istio.io' && c.kind === 'Gateway')).toBe(true);
    expect([...new Set([...upstream, ...solo].map((c) => c.group))].sort()).toEqual([...groupsOf('base')].sort());
    expect(solo.filter((c) => !upstream.some((u) => u.group === c.group && u.kind === c.kind))).toEqual([
      { group: 'admin.solo.io', kind: 'Segment' },
    ]);
  });

  test('the Gateway API row is the manifest source lib/istio delivers, and its CRD files are all of its group', () => {
    const source = { id: 'gateway-api-crds', gitUrl: GATEWAY_API_REPOSITORY, path: GATEWAY_API_CRD_PATH, revision: 'v1.4.0', order: -1 };
    expect(crdGroupsOfSource(source)).toEqual(['gateway.networking.k8s.io']);
    const dir = path.join(SHARED_CRDS, 'gateway-api');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(parse(fs.readFileSync(path.join(dir, f), 'utf8')).spec.group).toBe(MANIFEST_CRD_FACTS[0].groups[0]);
  });
});

// ---------------------------------------------------------------------------------------------
// The committed outputs.

interface Listed {
  /** Kustomization folder relative to the cluster directory ('' for the directory itself). */
  readonly stage: string;
  /** Index in that kustomization's resources. */
  readonly index: number;
  readonly file: string;
  readonly object: any;
}

interface ClusterOutput {
  readonly dir: string;
  readonly listed: readonly Listed[];
  readonly mode: 'argocd' | 'flux' | 'helm-template' | 'gloo-operator';
}

function loadCluster(dir: string): ClusterOutput {
  const listed: Listed[] = [];
  const stages = ['', ...fs.readdirSync(dir).filter((e) => e.startsWith('_') && fs.existsSync(path.join(dir, e, KUSTOMIZATION)))];
  for (const stage of stages) {
    const kustomization = parse(fs.readFileSync(path.join(dir, stage, KUSTOMIZATION), 'utf8'));
    (kustomization.resources as string[]).forEach((file, index) => {
      listed.push({ stage, index, file, object: parse(fs.readFileSync(path.join(dir, stage, file), 'utf8')) });
    });
  }
  // The index records the chart delivery mode the directory was rendered for.
  const mode = parse(fs.readFileSync(path.join(dir, 'spiremesh-index.yaml'), 'utf8')).chartDelivery as ClusterOutput['mode'];
  return { dir, listed, mode };
}

/** Every committed output folder on disk; each must be an output of the variant matrix. */
function committedOutputs(): string[] {
  const examples = fs
    .readdirSync(path.join(ROOT, 'examples'))
    .map((e) => path.join(ROOT, 'examples', e, 'dist'))
    .filter((d) => fs.existsSync(d));
  const expected = fs.readdirSync(path.join(ROOT, 'test/variants/expected')).map((e) => path.join(ROOT, 'test/variants/expected', e));
  return [path.join(ROOT, 'dist'), ...examples, ...expected];
}

function clusterDirs(output: string): string[] {
  return fs
    .readdirSync(output)
    .map((e) => path.join(output, e))
    .filter((d) => path.basename(d) !== FLEET_DIRECTORY && fs.existsSync(path.join(d, 'spiremesh-index.yaml')));
}

const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const annotation = (o: any, key: string): string | undefined => o.metadata?.annotations?.[key];
const wave = (o: any) => Number(annotation(o, ARGO_SYNC_WAVE_ANNOTATION) ?? 0);
const describe_ = (o: any) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;

/**
 * The operator chart a gloo-operator output installs serves the ServiceMeshController's group (the operator's own CRD:
 * no copy of its chart can be read offline to check it, see lib/delivery/gloo-operator.ts).
 */
const OPERATOR_CRD_GROUPS: Record<string, readonly string[]> = {
  [GLOO_OPERATOR_CHART.chart]: [ServiceMeshController.GVK.apiVersion.split('/')[0]],
};

/** A delivery object and the CRD groups it installs, from the facts table. */
interface Provider {
  readonly object: any;
  readonly groups: readonly string[];
}

function chartOfOci(url: string): string {
  return url.split('/').pop()!;
}

/**
 * What delivers CRDs in a cluster output: Applications or HelmReleases of CRD charts, Applications or Flux
 * Kustomizations of CRD sources (rendered CRDs are found by crdDeliverers).
 */
function providers(c: ClusterOutput): Provider[] {
  const objects = c.listed.map((l) => l.object);
  const release = (chart: string) => crdGroupsOfRelease({ chart } as any);
  const result: Provider[] = [];
  for (const o of objects) {
    if (o.kind === 'Application' || o.kind === 'HelmRelease') {
      const s = o.spec.source;
      const chart =
        o.kind === 'Application'
          ? (s.chart ?? (s.repoURL.startsWith('oci://') ? chartOfOci(s.repoURL) : undefined))
          : (o.spec.chart?.spec?.chart ??
            chartOfOci(objects.find((x) => x.kind === 'OCIRepository' && x.metadata.name === o.spec.chartRef?.name)?.spec?.url ?? ''));
      const operator = chart === undefined ? undefined : OPERATOR_CRD_GROUPS[chart];
      if (operator) {
        result.push({ object: o, groups: operator });
        continue;
      }
    }
    if (o.kind === 'Application') {
      const s = o.spec.source;
      const groups = s.chart
        ? release(s.chart)
        : s.repoURL.startsWith('oci://')
          ? release(chartOfOci(s.repoURL))
          : crdGroupsOfSource({ gitUrl: s.repoURL, path: s.path } as any);
      if (groups.length > 0) result.push({ object: o, groups });
    } else if (o.kind === 'HelmRelease') {
      const chart =
        o.spec.chart?.spec?.chart ??
        chartOfOci(objects.find((x) => x.kind === 'OCIRepository' && x.metadata.name === o.spec.chartRef?.name)?.spec?.url ?? '');
      const groups = release(chart);
      if (groups.length > 0) result.push({ object: o, groups });
    } else if (o.kind === 'Kustomization' && group(o.apiVersion) === 'kustomize.toolkit.fluxcd.io') {
      const repo = objects.find((x) => x.kind === 'GitRepository' && x.metadata.name === o.spec.sourceRef?.name);
      const groups = repo ? crdGroupsOfSource({ gitUrl: repo.spec.url, path: o.spec.path } as any) : [];
      if (groups.length > 0) result.push({ object: o, groups });
    }
  }
  return result;
}

/** The rendered CRD or the delivery objects that install the CRD of `o`'s kind. */
function crdDeliverers(c: ClusterOutput, ps: readonly Provider[], o: any): any[] {
  const g = group(o.apiVersion);
  const rendered = c.listed
    .map((l) => l.object)
    .filter((x) => x.kind === 'CustomResourceDefinition' && x.spec.group === g && x.spec.names.kind === o.kind);
  return [...rendered, ...ps.filter((p) => p.groups.includes(g)).map((p) => p.object)];
}

/**
 * Namespaces that exist before the output is applied: where the GitOps engine runs and reads its objects, and
 * cert-manager's cluster resource namespace (cert-manager is a cluster prerequisite; its install creates it).
 */
function engineNamespaces(c: ClusterOutput): Set<string> {
  const engineKinds = new Set(['Application', 'HelmRelease', 'HelmRepository', 'OCIRepository', 'GitRepository', 'Kustomization']);
  return new Set([
    ...c.listed.filter((l) => engineKinds.has(l.object.kind)).map((l) => l.object.metadata.namespace),
    CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE,
  ]);
}

/**
 * Groups whose CRDs a staged mode declares but leaves to a prerequisite (the synth lists it with its command): their
 * objects are staged all the same. helm-template does not fetch manifest sources (Flux delivers them); the Gloo
 * Operator installs only Istio, so the CRD charts (spire-crds) are prerequisites too.
 */
const PREREQUISITE_GROUPS: Record<string, ReadonlySet<string>> = {
  'helm-template': new Set(MANIFEST_CRD_FACTS.flatMap((f) => f.groups)),
  'gloo-operator': new Set([...MANIFEST_CRD_FACTS, ...CHART_CRD_FACTS].flatMap((f) => f.groups)),
};

const OUTPUTS = committedOutputs();
const CLUSTERS = OUTPUTS.flatMap(clusterDirs).map(loadCluster);
const rel = (d: string) => path.relative(ROOT, d);

test('every committed output is one of the variant matrix, and there are outputs of every mode', () => {
  const matrix = new Set(VARIANTS.map((v) => path.resolve(expectedDir(v))));
  expect(OUTPUTS.filter((o) => !matrix.has(path.resolve(o))).map(rel)).toEqual([]);
  expect(new Set(CLUSTERS.map((c) => c.mode))).toEqual(new Set(['argocd', 'flux', 'helm-template', 'gloo-operator']));
});

describe.each(CLUSTERS.filter((c) => c.mode === 'argocd').map((c) => [rel(c.dir), c] as const))('argocd output %s', (_name, c) => {
  const ps = providers(c);

  test('every kind Kubernetes does not serve (except Argo CD’s own) carries SkipDryRunOnMissingResource', () => {
    const missing = c.listed
      .map((l) => l.object)
      .filter((o) => !isBuiltInKind(o.apiVersion, o.kind) && group(o.apiVersion) !== 'argoproj.io')
      .filter((o) => !(annotation(o, ARGO_SYNC_OPTIONS_ANNOTATION) ?? '').split(',').includes(ARGO_SKIP_DRY_RUN_OPTION))
      .map(describe_);
    expect(missing).toEqual([]);
  });

  test('every object whose CRD the output delivers is in a later wave than what delivers it', () => {
    const early: string[] = [];
    let ordered = 0;
    for (const { object: o } of c.listed) {
      for (const d of crdDeliverers(c, ps, o)) {
        ordered++;
        if (wave(o) <= wave(d)) early.push(`${describe_(o)} (wave ${wave(o)}) is not after ${describe_(d)} (wave ${wave(d)})`);
      }
    }
    expect(early).toEqual([]);
    // The example meshes all have SPIRE registrations, whose CRDs come from spire-crds.
    expect(ordered).toBeGreaterThan(0);
    expect(ps.some((p) => p.groups.includes('spire.spiffe.io'))).toBe(true);
  });

  test('every namespaced object’s Namespace is created in an earlier or the same wave', () => {
    const prerequisites = engineNamespaces(c);
    const namespaces = new Map(c.listed.filter((l) => l.object.kind === 'Namespace').map((l) => [l.object.metadata.name, l.object]));
    const problems: string[] = [];
    for (const { object: o } of c.listed) {
      const ns = o.metadata.namespace;
      if (!ns || prerequisites.has(ns)) continue;
      const n = namespaces.get(ns);
      if (!n) problems.push(`${describe_(o)}: no Namespace ${ns} in the output`);
      else if (wave(n) > wave(o)) problems.push(`${describe_(o)} (wave ${wave(o)}) comes before Namespace ${ns} (wave ${wave(n)})`);
    }
    expect(problems).toEqual([]);
  });

  test('nothing is staged into another directory (one Argo CD sync orders everything by waves)', () => {
    expect(c.listed.filter((l) => l.stage !== '' || annotation(l.object, APPLY_STAGE_ANNOTATION)).map((l) => l.file)).toEqual([]);
  });
});

describe.each(CLUSTERS.filter((c) => c.mode !== 'argocd').map((c) => [c.mode, rel(c.dir), c] as const))(
  '%s output %s',
  (_mode, _name, c) => {
    const ps = providers(c);

    test(`objects whose CRD the output delivers are in ${STAGE_DIR}/, what delivers CRDs is not`, () => {
      const wrong: string[] = [];
      let staged = 0;
      for (const l of c.listed) {
        const deliverers = crdDeliverers(c, ps, l.object);
        if (deliverers.length > 0) {
          staged++;
          if (l.stage !== STAGE_DIR) wrong.push(`${describe_(l.object)} is applied with ${deliverers.map(describe_).join(', ')}`);
          if (annotation(l.object, APPLY_STAGE_ANNOTATION) !== AFTER_CRDS_STAGE)
            wrong.push(`${describe_(l.object)} has no stage annotation`);
        } else if (l.stage !== '' && !PREREQUISITE_GROUPS[c.mode]?.has(group(l.object.apiVersion))) {
          wrong.push(`${describe_(l.object)} is staged although its CRD is not delivered by the output`);
        }
      }
      const delivering = new Set([
        ...ps.map((p) => p.object),
        ...c.listed.filter((l) => l.object.kind === 'CustomResourceDefinition').map((l) => l.object),
      ]);
      for (const l of c.listed)
        if (delivering.has(l.object) && l.stage !== '') wrong.push(`${describe_(l.object)} delivers CRDs but is staged`);
      expect(wrong).toEqual([]);
      expect(staged).toBeGreaterThan(0);
    });

    test('no SkipDryRunOnMissingResource or sync waves outside argocd mode', () => {
      // Argo CD's own objects (the Gloo Operator's install Application) may carry a wave: Argo CD orders them.
      const argo = c.listed.filter(
        (l) =>
          group(l.object.apiVersion) !== 'argoproj.io' &&
          (annotation(l.object, ARGO_SYNC_OPTIONS_ANNOTATION) ?? annotation(l.object, ARGO_SYNC_WAVE_ANNOTATION)),
      );
      expect(argo.map((l) => describe_(l.object))).toEqual([]);
    });

    if (c.mode === 'flux') {
      test('the Gateway API CRDs are delivered by a Kustomization of the cluster directory, so Gateways come after it', () => {
        const gatewayApi = ps.filter((p) => p.object.kind === 'Kustomization' && p.groups.includes('gateway.networking.k8s.io'));
        expect(gatewayApi).toHaveLength(1);
        expect(c.listed.find((l) => l.object === gatewayApi[0].object)?.stage).toBe('');
        for (const l of c.listed.filter((x) => group(x.object.apiVersion) === 'gateway.networking.k8s.io')) expect(l.stage).toBe(STAGE_DIR);
      });

      test('the HelmRelease dependsOn chain is complete and starts with the CRD releases', () => {
        const releases = c.listed.filter((l) => l.object.kind === 'HelmRelease').map((l) => l.object);
        const byName = new Map(releases.map((r) => [r.metadata.name, r]));
        const roots = releases.filter((r) => !r.spec.dependsOn);
        expect(roots).toHaveLength(1);
        // Walk the chain from its root: every release once, CRD releases first.
        const next = new Map(releases.flatMap((r) => (r.spec.dependsOn ?? []).map((d: any) => [d.name, r] as const)));
        const chain: any[] = [];
        for (let r: any = roots[0]; r; r = next.get(r.metadata.name)) chain.push(r);
        expect(chain.map((r) => r.metadata.name).sort()).toEqual([...byName.keys()].sort());
        const crdRelease = (r: any) => ps.some((p) => p.object === r);
        const firstOther = chain.findIndex((r) => !crdRelease(r));
        expect(chain.slice(0, Math.max(firstOther, 0)).some(crdRelease)).toBe(true);
      });
    }
  },
);

/** The bootstrap objects of every committed output that has one. */
const FLEETS = OUTPUTS.filter((o) => fs.existsSync(path.join(o, FLEET_DIRECTORY))).map((o) => ({
  output: o,
  objects: fs
    .readdirSync(path.join(o, FLEET_DIRECTORY), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) =>
      fs
        .readdirSync(path.join(o, FLEET_DIRECTORY, e.name))
        .filter((f) => f.endsWith('.yaml') && f !== KUSTOMIZATION)
        .map((f) => parse(fs.readFileSync(path.join(o, FLEET_DIRECTORY, e.name, f), 'utf8'))),
    ),
}));

test('fleet bootstraps: a staged cluster directory is applied in Flux dependency order, or by a second Argo CD Application', () => {
  const problems: string[] = [];
  for (const { output, objects } of FLEETS) {
    for (const c of CLUSTERS.filter((x) => path.dirname(x.dir) === output)) {
      const name = path.basename(c.dir);
      const staged = c.listed.some((l) => l.stage === STAGE_DIR);
      const byPath = (suffix: string, o: any) => String(o.spec?.path ?? o.spec?.source?.path ?? '').endsWith(suffix);
      const kustomizations = objects.filter((o) => o?.kind === 'Kustomization');
      if (kustomizations.length > 0) {
        const first = kustomizations.find((k) => byPath(`/${name}`, k) || k.spec.path === `./${name}`);
        const second = kustomizations.find((k) => byPath(`${name}/${STAGE_DIR}`, k));
        if (!first) problems.push(`${rel(output)}: no Kustomization applies ${name}`);
        if (staged && !second) problems.push(`${rel(output)}: no Kustomization applies ${name}/${STAGE_DIR}`);
        if (first && second && !(second.spec.dependsOn ?? []).some((d: any) => d.name === first.metadata.name))
          problems.push(`${rel(output)}: ${second.metadata.name} does not depend on ${first.metadata.name}`);
        // Every engine object that delivers CRDs in the first stage is health-checked by the first Kustomization.
        const checked = (first?.spec.healthChecks ?? []).map((h: any) => `${h.kind}/${h.namespace}/${h.name}`);
        for (const p of providers(c).filter((x) => c.listed.find((l) => l.object === x.object)?.stage === '')) {
          const key = `${p.object.kind}/${p.object.metadata.namespace}/${p.object.metadata.name}`;
          if (staged && !checked.includes(key)) problems.push(`${rel(output)}: ${first?.metadata.name} does not health-check ${key}`);
        }
      } else if (staged && !objects.some((o) => o?.kind === 'Application' && byPath(`${name}/${STAGE_DIR}`, o))) {
        problems.push(`${rel(output)}: no Application syncs ${name}/${STAGE_DIR}`);
      }
    }
  }
  expect(problems).toEqual([]);
});

describe.each(CLUSTERS.map((c) => [rel(c.dir), c] as const))('kustomization order of %s', (_name, c) => {
  test('a Namespace and a CustomResourceDefinition come before the objects that need them', () => {
    const prerequisites = engineNamespaces(c);
    const stageRank = (stage: string) => (stage === '' ? 0 : 1);
    const before = (a: Listed, b: Listed) => stageRank(a.stage) < stageRank(b.stage) || (a.stage === b.stage && a.index < b.index);
    const problems: string[] = [];
    for (const l of c.listed) {
      const ns = l.object.metadata.namespace;
      if (ns && !prerequisites.has(ns)) {
        const n = c.listed.find((x) => x.object.kind === 'Namespace' && x.object.metadata.name === ns);
        if (!n || !before(n, l)) problems.push(`${l.stage}/${l.file}: Namespace ${ns} is not listed before it`);
      }
      const crd = c.listed.find(
        (x) =>
          x.object.kind === 'CustomResourceDefinition' &&
          x.object.spec.group === group(l.object.apiVersion) &&
          x.object.spec.names.kind === l.object.kind,
      );
      if (crd && !before(crd, l)) problems.push(`${l.stage}/${l.file}: its CustomResourceDefinition is not listed before it`);
    }
    expect(problems).toEqual([]);
  });
});
