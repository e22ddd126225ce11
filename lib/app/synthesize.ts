/**
 * Synthesis: construct tree → validated, rendered per-cluster directories → disk.
 * All checks run before the first write; on any finding nothing is written.
 */
import * as path from 'path';
import { IConstruct } from 'constructs';
import { Finding, MeshModel, SpiremeshError, countOf } from '../spec';
import { Istio } from '../istio/istio';
import { CheckFinding, checkMesh, formatCheckFinding } from './check';
import { MeshPkiReport, PkiError, certificateFacts, prepareMeshPki } from '../pki';
import { SchemaRegistry } from '../validation';
import { collectObjects } from '../gitops/collect';
import { fileTextHasPrivateKey, gateFinding, schemaGate, secretsGate } from '../gitops/gates';
import { renderClusterFiles, renderManifests } from '../gitops/render';
import { REVIEW_PAGE_FILE, REVIEW_PAGE_MARKER, renderReviewPage } from './review-page';
import { DirectoryReport, WritePlan, applyOutput, planHasChanges, planOutput, planOwnedFile } from '../gitops/writer';

export interface SynthesizeOptions {
  /**
   * Output folder; each cluster is written to `<outdir>/<cluster>/`.
   * @default - `CDK8S_OUTDIR` (set by `cdk8s synth -o`), else 'dist'
   */
  readonly outdir?: string;
  /**
   * Compare with the disk and report differences, writing nothing (for CI).
   * @default false
   */
  readonly check?: boolean;
  /**
   * Schemas for the schema gate.
   * @default SchemaRegistry.default(): Kubernetes 1.30 plus the CRDs in imports/schemas
   */
  readonly schemaRegistry?: SchemaRegistry;
  /**
   * Directory that the spec's relative folders (PKI certificates and keys, kubectl secrets)
   * are resolved against.
   * @default process.cwd()
   */
  readonly baseDir?: string;
  /**
   * Clock for certificate validity checks (tests).
   * @default - now
   */
  readonly now?: Date;
}

export interface ClusterSummary {
  readonly mesh: string;
  readonly cluster: string;
  readonly objects: number;
  readonly files: number;
  readonly created: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly pruned: number;
}

export interface SynthesisResult {
  readonly outdir: string;
  readonly clusters: readonly ClusterSummary[];
  readonly warnings: readonly string[];
  /** True when the disk already matched (nothing written, or nothing to write in check mode). */
  readonly upToDate: boolean;
  /** Per-directory details (file names created, changed, pruned). */
  readonly directories: readonly DirectoryReport[];
  /** Findings of the mesh check (only warnings here: errors stop synthesis). */
  readonly checkFindings: readonly CheckFinding[];
}

/** Synthesis refused: every finding, each naming the object and the code that made it. */
export class SynthesisError extends SpiremeshError {
  public constructor(findings: readonly Finding[]) {
    super(`synthesis refused with ${countOf(findings.length, 'finding')}; nothing was written:`, findings);
  }
}

export function defaultOutdir(): string {
  return process.env.CDK8S_OUTDIR ?? 'dist';
}

/** Renders every MeshCluster under `root`, checks it, and writes (or, with `check`, compares). */
export function synthesize(root: IConstruct, options: SynthesizeOptions = {}): SynthesisResult {
  const outdir = path.resolve(options.outdir ?? defaultOutdir());
  const collected = collectObjects(root);
  const findings: Finding[] = [...collected.findings];
  if (collected.clusters.length === 0) {
    findings.push(gateFinding('layout', 'no MeshCluster found', {}, 'declare a SpireMesh in the app'));
  }
  findings.push(...schemaGate(collected.objects, options.schemaRegistry ?? SchemaRegistry.default()));
  findings.push(...secretsGate(collected.objects));

  if (findings.length > 0) throw new SynthesisError(findings);

  // The mesh PKI: verified public certificates (and, unless checking, generation of what is
  // missing). Runs only after every object passed the gates, so a bad spec creates no keys.
  const pki = new Map<MeshModel, MeshPkiReport>();
  for (const chart of collected.clusters) {
    if (pki.has(chart.mesh)) continue;
    try {
      pki.set(chart.mesh, prepareMeshPki(chart.mesh, { baseDir: options.baseDir, readOnly: options.check, now: options.now }));
    } catch (e) {
      if (!(e instanceof PkiError)) throw e;
      findings.push(...e.findings);
    }
  }

  // The mesh check (static `istioctl multicluster check`) over what is about to be written.
  const checkFindings: CheckFinding[] = [];
  for (const mesh of new Set(collected.clusters.map((c) => c.mesh))) {
    const charts = collected.clusters.filter((c) => c.mesh === mesh);
    const certs = pki.get(mesh)?.certificates;
    checkFindings.push(
      ...checkMesh({
        mesh,
        clusters: charts.map((c) => ({
          cluster: c.cluster,
          manifests: collected.objects.filter((o) => o.cluster === c.cluster.name).map((o) => o.manifest),
          istio: Istio.of(c)?.releases,
        })),
        certificates: certs && { root: certs.root, clusters: certs.clusters },
        now: options.now,
      }),
    );
  }
  findings.push(...checkFindings.filter((f) => f.severity === 'error'));

  const dirNames = new Map<string, string>();
  const meshes = new Map<string, { dir: string; files: ReadonlyMap<string, string>; objects: number }[]>();
  for (const chart of collected.clusters) {
    const { mesh, cluster } = chart;
    const owner = dirNames.get(cluster.name);
    if (owner !== undefined) {
      findings.push(
        gateFinding(
          'layout',
          `cluster directory '${cluster.name}' is rendered by meshes '${owner}' and '${mesh.name}'`,
          { constructPath: chart.node.path },
          'cluster names must be unique in one output folder',
        ),
      );
      continue;
    }
    dirNames.set(cluster.name, mesh.name);
    const objects = collected.objects.filter((o) => o.cluster === cluster.name);
    const { files: manifests, duplicates } = renderManifests(objects);
    findings.push(...duplicates.map((message) => gateFinding('layout', message)));
    const rendered = renderClusterFiles(mesh, cluster, manifests, trustFacts(pki.get(mesh), cluster.name));
    for (const [rel, text] of rendered.files) {
      if (fileTextHasPrivateKey(text)) findings.push(gateFinding('secrets', `${cluster.name}/${rel} would contain a PEM private key`));
    }
    meshes.set(mesh.name, [...(meshes.get(mesh.name) ?? []), { dir: cluster.name, files: rendered.files, objects: objects.length }]);
  }
  if (findings.length > 0) throw new SynthesisError(findings);

  // Plan every mesh before applying any, so that a conflict in one writes nothing at all.
  const plans: { mesh: string; plan: WritePlan; objects: Map<string, number> }[] = [];
  for (const [mesh, outputs] of meshes) {
    plans.push({ mesh, plan: planOutput(outdir, mesh, outputs), objects: new Map(outputs.map((o) => [o.dir, o.objects])) });
  }
  // The review page for pull requests (dist/README.md), over every mesh of the app.
  const reviewPage = renderReviewPage(
    [...new Set(collected.clusters.map((c) => c.mesh))].map((mesh) => {
      const objectCounts: Record<string, Record<string, number>> = {};
      for (const o of collected.objects.filter((x) => mesh.clusters.some((c) => c.name === x.cluster))) {
        const perCluster = (objectCounts[o.cluster] ??= {});
        perCluster[o.component] = (perCluster[o.component] ?? 0) + 1;
      }
      return {
        mesh,
        objectCounts,
        certificates: pki.get(mesh)?.certificates,
        findings: checkFindings.filter((f) => mesh.clusters.some((c) => c.name === f.cluster) || !f.cluster),
      };
    }),
  );
  const reviewPlan = planOwnedFile(outdir, REVIEW_PAGE_FILE, reviewPage, REVIEW_PAGE_MARKER);
  const upToDate = plans.every((p) => !planHasChanges(p.plan)) && !planHasChanges(reviewPlan);
  if (!options.check) {
    // One application of every change, so a failure half-way rolls back all of them.
    applyOutput({
      outdir,
      directories: [],
      warnings: [],
      operations: new Map([...plans.flatMap((p) => [...p.plan.operations]), ...reviewPlan.operations]),
    });
  }

  const clusters: ClusterSummary[] = plans.flatMap((p) =>
    p.plan.directories.map((d) => ({
      mesh: p.mesh,
      cluster: d.dir,
      objects: p.objects.get(d.dir) ?? 0,
      files: d.created.length + d.changed.length + d.unchanged.length,
      created: d.created.length,
      changed: d.changed.length,
      unchanged: d.unchanged.length,
      pruned: d.pruned.length,
    })),
  );
  return {
    outdir,
    clusters,
    warnings: [
      ...collected.warnings,
      ...[...pki.values()].flatMap((p) => p.warnings),
      ...checkFindings.map(formatCheckFinding),
      ...plans.flatMap((p) => p.plan.warnings),
    ],
    checkFindings,
    upToDate,
    directories: [...plans.flatMap((p) => p.plan.directories), ...reviewPlan.directories],
  };
}

/** The trust facts of one cluster for its index: fingerprints and expiry of root and intermediates. */
function trustFacts(report: MeshPkiReport | undefined, cluster: string): Record<string, unknown> | undefined {
  const certs = report?.certificates;
  const own = certs?.clusters[cluster];
  if (!certs || !own) return undefined;
  return {
    root: certificateFacts(certs.root),
    spireIntermediate: certificateFacts(own.spireIntermediate),
    istioIntermediate: certificateFacts(own.istioIntermediate),
  };
}
