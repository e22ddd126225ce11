/**
 * Synthesis: construct tree → validated, rendered per-cluster directories → disk.
 * All checks run before the first write; on any finding nothing is written, and no CA material
 * is generated: missing PKI is generated only once the gates, the mesh check, the layout and the
 * output folder have all passed. The output folder is locked for the whole run, and an
 * interrupted earlier write is finished (or undone) before anything is read from it.
 */
import * as path from 'path';
import { IConstruct } from 'constructs';
import { Finding, MeshModel, SpiremeshError, countOf } from '../spec';
import { DEFAULT_OUTPUT_DIRECTORY, findProjectDir } from '../spec/project';
import { Istio } from '../istio/istio';
import { MeshCluster, MeshTrustMaterial, setMeshTrustMaterial } from '../core';
import { CheckFinding, checkMesh, formatCheckFinding } from './check';
import { MeshPkiReport, PkiError, certificateFacts, prepareMeshPki } from '../pki';
import { rememberingCustodyVerdicts } from '../pki/custody';
import { hasInterruptedWrite, recoverOutput } from '../gitops/journal';
import { OutputLock, OutputLockOptions, withOutputLock } from '../gitops/lock';
import { NODE_OUTPUT_FS, OutputFs } from '../gitops/output-fs';
import { SchemaRegistry } from '../validation';
import { Collected, CollectedWarning, collectObjects } from '../gitops/collect';
import { RenderedObject } from '../gitops/layout';
import { ClusterPrerequisiteList } from './prerequisites';
import {
  SYNTH_RECORD_FILE,
  SYNTH_RECORD_MARKER,
  isQuiet,
  noteAppPackages,
  quietPeriod,
  readSynthRecord,
  recordedMeshes,
  renderSynthRecord,
  synthesisInputs,
  type SynthRecord,
} from './reuse';
import { applyStageOf } from '../gitops/layout';
import { INDEX_FILE } from '../gitops/output-names';
import { generatorInfo, sha256 } from '../gitops/provenance';
import { fileTextHasPrivateKey, gateFinding, objectGates } from '../gitops/gates';
import { RenderedFile, renderClusterFiles, renderManifests } from '../gitops/render';
import { REVIEW_PAGE_FILE, REVIEW_PAGE_MARKER, renderReviewPage } from './review-page';
import { DirectoryReport, WritePlan, applyOutput, planHasChanges, planOutput, planOwnedFile, recordedOutputFiles } from '../gitops/writer';
import { FLEET_DIRECTORY, FleetBootstrap, renderFleetBootstrap } from '../gitops/fleet';

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
  /**
   * How long to wait for another run writing the same output folder, and when its lock is stale.
   * @default - wait up to 20 s; a lock whose run was killed on this host is taken over at once
   */
  readonly lock?: OutputLockOptions;
  /**
   * The filesystem operations of the writer (tests inject faults and kills here).
   * @default NODE_OUTPUT_FS (Node's fs)
   */
  readonly outputFs?: OutputFs;
  /**
   * Reuse an output folder that a synth of the same inputs wrote and nobody changed since (its `spiremesh-synth.json`
   * names them; see lib/app/reuse.ts): nothing is rendered, and the result is that synth's. Pass false when the app
   * feeds data it reads itself (a file, the environment) into anything but the mesh spec: everything is rendered (and
   * what was written is recorded all the same).
   * @default true
   */
  readonly reuse?: boolean;
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

export type { ClusterPrerequisiteList };

export interface SynthesisResult {
  readonly outdir: string;
  readonly clusters: readonly ClusterSummary[];
  readonly warnings: readonly string[];
  /** Per cluster (meshes and clusters in declaration order), its prerequisites in `comparePrerequisites` order; clusters with none are left out. */
  readonly prerequisites: readonly ClusterPrerequisiteList[];
  /** True when the disk already matched (nothing written, or nothing to write in check mode). */
  readonly upToDate: boolean;
  /**
   * True when nothing was rendered: the output folder's `spiremesh-synth.json` names these very inputs and every file
   * is as that synth wrote it, so this result is that synth's (with the PKI's warnings of today). See SynthesizeOptions.reuse.
   */
  readonly reused: boolean;
  /** Per-directory details (file names created, changed, pruned). */
  readonly directories: readonly DirectoryReport[];
  /** Findings of the mesh check (only warnings here: errors stop synthesis). */
  readonly checkFindings: readonly CheckFinding[];
  /**
   * What the run wrote (or, in check mode, would write): absolute path → new content, or null for a file
   * deleted. Files that are already up to date are not listed. (`spiremesh diff` compares it with the disk.)
   */
  readonly plannedWrites: ReadonlyMap<string, string | null>;
}

/** Synthesis refused: every finding, each naming the object and the code that made it. */
export class SynthesisError extends SpiremeshError {
  public constructor(findings: readonly Finding[]) {
    super(`synthesis refused with ${countOf(findings.length, 'finding')}; nothing was written:`, findings);
  }
}

/**
 * The output folder when none is given: `CDK8S_OUTDIR` (set by `cdk8s synth` from cdk8s.yaml's
 * `output` or `-o`), else `dist/` in the project folder, so that the output, like the PKI
 * folders, does not depend on the folder a command is run from.
 * @param projectDir the mesh's project folder
 * @default projectDir - findProjectDir(process.cwd())
 */
export function defaultOutdir(projectDir: string = findProjectDir(process.cwd())): string {
  // An empty CDK8S_OUTDIR means unset, never the working directory.
  return process.env.CDK8S_OUTDIR || path.join(projectDir, DEFAULT_OUTPUT_DIRECTORY);
}

/** Construct trees a synthesize() call is working on (SpireMesh's construct validation skips itself inside one). */
const SYNTHESIZING = new WeakSet<IConstruct>();

/** True while synthesize() renders the tree of `scope` (the construct validations it runs are part of it). */
export function isSynthesizing(scope: IConstruct): boolean {
  return SYNTHESIZING.has(scope.node.root);
}

/** Renders every MeshCluster under `root`, checks it, and writes (or, with `check`, compares). */
export function synthesize(root: IConstruct, options: SynthesizeOptions = {}): SynthesisResult {
  const tree = root.node.root;
  if (SYNTHESIZING.has(tree)) return rememberingCustodyVerdicts(() => synthesizeTree(root, options));
  SYNTHESIZING.add(tree);
  try {
    return rememberingCustodyVerdicts(() => synthesizeTree(root, options));
  } finally {
    SYNTHESIZING.delete(tree);
  }
}

/** The meshes whose clusters are in the tree under `root`, each once, in tree order. */
function meshesOf(root: IConstruct): MeshModel[] {
  return [
    ...new Set(
      root.node
        .findAll()
        .filter(MeshCluster.isMeshCluster)
        .map((c) => c.mesh),
    ),
  ];
}

function synthesizeTree(root: IConstruct, options: SynthesizeOptions): SynthesisResult {
  const meshes = meshesOf(root);
  const outdir = path.resolve(options.outdir ?? defaultOutdir(meshes[0]?.projectDir));
  const reused = reuseUnchangedOutput(root, meshes, outdir, options);
  if (reused) return reused;
  // Objects that embed public trust material (federation bootstrap bundles) render with the PKI
  // that exists; a synth that generates it renders them again once it does.
  for (const mesh of meshes) setMeshTrustMaterial(mesh, existingTrustMaterial(mesh, { ...options, outdir }));
  const { collected, findings } = renderAndGate(root, options);
  if (findings.length > 0) throw new SynthesisError(findings);

  // From here on the run reads and writes the output folder: one run at a time (the lock), and an
  // earlier run's interrupted write is finished or undone before anything is read.
  return withOutputLock(outdir, { ...options.lock, readOnly: options.check }, (lock) => {
    const base = options.outputFs ?? NODE_OUTPUT_FS;
    const outputFs = lock ? lock.guard(base) : base;
    const recovered = recoverOutput(outdir, outputFs);
    return synthesizeLocked(collected, outdir, options, { root, lock, outputFs, recovered });
  });
}

/** Whether this synth records what it wrote: not with a schema registry of the caller's (its gates are not the package's). */
function mayRecord(meshes: readonly MeshModel[], options: SynthesizeOptions): boolean {
  return options.schemaRegistry === undefined && meshes.length > 0;
}

/** Whether this synth may reuse an output folder: one that records, unless told not to. */
function mayReuse(meshes: readonly MeshModel[], options: SynthesizeOptions): boolean {
  return options.reuse !== false && mayRecord(meshes, options);
}

/**
 * The result of the synth that wrote `outdir`, when its record names these inputs and the folder still holds exactly
 * what that synth wrote; else undefined (the synth then runs in full). The PKI is read as a synth reads it first
 * (custody, verification, expiry warnings: live, never taken from the record), and a writing synth then prepares it
 * as a full one does once its checks pass.
 *
 * It reads only, without the output folder's lock, so that it touches nothing (not even the folder's mtime). A run
 * writing meanwhile cannot make it reuse a mixture: the record names each index's sha256 and each index every file's,
 * so the files pass only as one state a synth wrote whole; a journal (a write under way) is never reused over.
 */
function reuseUnchangedOutput(
  root: IConstruct,
  meshes: readonly MeshModel[],
  outdir: string,
  options: SynthesizeOptions,
): SynthesisResult | undefined {
  // The packages the app loaded, before this synth loads its own (whether or not it may reuse: it records them).
  noteAppPackages();
  if (!mayReuse(meshes, options)) return undefined;
  const record = readSynthRecord(outdir);
  if (!record || !isQuiet(record, options.now ?? new Date())) return undefined;
  if (!recordsEveryDirectory(record, meshes) || hasInterruptedWrite(outdir)) return undefined;
  const pkiOptions = { baseDir: options.baseDir, now: options.now, outputDirectory: outdir };
  const pki = new Map<MeshModel, MeshPkiReport>();
  for (const mesh of meshes) {
    try {
      pki.set(mesh, prepareMeshPki(mesh, { ...pkiOptions, readOnly: true }));
    } catch (e) {
      if (e instanceof PkiError) return undefined; // missing (a synth generates it) or refused: the full synth reports it
      throw e;
    }
  }
  if (synthesisInputs(root, meshes, pki) !== record.inputs) return undefined;
  const files = recordedOutputFiles(outdir, recordedMeshes(record), [[REVIEW_PAGE_FILE, record.reviewPage]]);
  if (!files) return undefined;
  if (!options.check) {
    // What a writing synth does once its checks pass: the keys verified against their certificates, kubectl
    // delivery's Secret manifests written where they are missing or stale (never into the output folder).
    const findings: Finding[] = [];
    for (const mesh of meshes) {
      try {
        const report = prepareMeshPki(mesh, pkiOptions);
        // Generated just now (a key that was missing): the inputs are no longer the recorded ones.
        if (report.created.length > 0) return undefined;
        pki.set(mesh, report);
      } catch (e) {
        if (!(e instanceof PkiError)) throw e;
        findings.push(...e.findings);
      }
    }
    if (findings.length > 0) throw new SynthesisError(findings);
  }
  const directories: DirectoryReport[] = [
    ...record.directories.map((d) => ({ dir: d.cluster, created: [], changed: [], unchanged: files.get(d.cluster) ?? [], pruned: [] })),
    { dir: '.', created: [], changed: [], unchanged: [REVIEW_PAGE_FILE], pruned: [] },
  ];
  return {
    outdir,
    clusters: record.directories.map((d) => ({
      mesh: d.mesh,
      cluster: d.cluster,
      objects: d.objects,
      files: d.files,
      created: 0,
      changed: 0,
      unchanged: d.files,
      pruned: 0,
    })),
    warnings: [...record.warnings, ...[...pki.values()].flatMap((p) => p.warnings), ...record.checkFindings.map(formatCheckFinding)],
    prerequisites: record.prerequisites,
    checkFindings: record.checkFindings,
    upToDate: true,
    reused: true,
    directories,
    plannedWrites: new Map(),
  };
}

/**
 * True when the record lists, per mesh in tree order, exactly the directories a synth of these meshes writes: one per
 * cluster, and the fleet bootstrap with a `gitops` section (a record that lost one, edited or damaged, is not reused).
 */
function recordsEveryDirectory(record: SynthRecord, meshes: readonly MeshModel[]): boolean {
  const recorded = recordedMeshes(record);
  if (recorded.length !== meshes.length) return false;
  return meshes.every((mesh, i) => {
    const wanted = [...mesh.clusters.map((c) => c.name), ...(mesh.gitops ? [FLEET_DIRECTORY] : [])].sort();
    const listed = recorded[i].directories.map(([dir]) => dir).sort();
    return recorded[i].mesh === mesh.name && listed.length === wanted.length && listed.every((d, j) => d === wanted[j]);
  });
}

/** What `validateApp` found: the errors that refuse the app, and what synthesis would print as warnings. */
export interface AppValidation {
  readonly errors: readonly Finding[];
  readonly warnings: readonly string[];
}

/**
 * The checks of a synth that need neither the output folder nor new CA material: every object through the construct
 * validations and the schema, secrets and policy gates, then the mesh check with the certificates that exist (none
 * yet is not an error here: a synth generates them; a broken or expired one is). For a plain `App.synth()`
 * (SpireMesh's construct validation), where nothing of spiremesh's writer runs. Inside synthesize() it finds nothing.
 */
export function validateApp(root: IConstruct, options: Pick<SynthesizeOptions, 'baseDir' | 'now' | 'schemaRegistry'> = {}): AppValidation {
  const tree = root.node.root;
  if (SYNTHESIZING.has(tree)) return { errors: [], warnings: [] };
  SYNTHESIZING.add(tree);
  try {
    const meshes = meshesOf(tree);
    const reports = new Map<MeshModel, MeshPkiReport | undefined>();
    const errors: Finding[] = [];
    for (const mesh of meshes) {
      try {
        reports.set(mesh, prepareMeshPki(mesh, { baseDir: options.baseDir, now: options.now, readOnly: true }));
      } catch (e) {
        if (!(e instanceof PkiError)) throw e;
        if (e.code !== 'MISSING_FILE') errors.push(...e.findings);
      }
      // Trust material set by the caller (or an earlier synth) stays when no CA material exists yet.
      const material = trustMaterialOf(reports.get(mesh));
      if (material) setMeshTrustMaterial(mesh, material);
    }
    const { collected, findings } = renderAndGate(tree, options);
    errors.push(...findings);
    const checks = findings.length > 0 ? [] : meshes.flatMap((mesh) => checkOneMesh(collected, mesh, reports.get(mesh), options.now));
    errors.push(...checks.filter(isError));
    return { errors, warnings: [...collected.warnings, ...checks.filter((f) => !isError(f)).map(formatCheckFinding)] };
  } finally {
    SYNTHESIZING.delete(tree);
  }
}

/** Every object of the app, through the construct validations, the schema, secrets and policy gates. */
function renderAndGate(root: IConstruct, options: SynthesizeOptions): { collected: Collected; findings: Finding[] } {
  const collected = collectObjects(root);
  const findings: Finding[] = [...collected.findings];
  if (collected.clusters.length === 0) {
    findings.push(gateFinding('layout', 'no MeshCluster found', {}, 'declare a SpireMesh in the app'));
  }
  // A license value may reach dist/ only as the inline value a mesh spec acknowledged as committed.
  const acknowledgedLicenseValues = [...new Set(collected.clusters.map((c) => c.mesh.license))].flatMap((l) =>
    l?.kind === 'inline' ? [l.value] : [],
  );
  // The schema, secrets and policy gates, in that order.
  findings.push(...objectGates(collected.objects, options.schemaRegistry ?? SchemaRegistry.default(), { acknowledgedLicenseValues }));
  return { collected, findings };
}

/** The public trust material of a mesh's existing PKI (read only); undefined when there is none yet or it is unusable (reported later). */
function existingTrustMaterial(mesh: MeshModel, options: SynthesizeOptions & { outdir: string }): MeshTrustMaterial | undefined {
  try {
    const report = prepareMeshPki(mesh, { baseDir: options.baseDir, now: options.now, outputDirectory: options.outdir, readOnly: true });
    return trustMaterialOf(report);
  } catch (e) {
    if (e instanceof PkiError) return undefined;
    throw e;
  }
}

function trustMaterialOf(report: MeshPkiReport | undefined): MeshTrustMaterial | undefined {
  const rootPem = report?.certificates?.rootPem;
  return rootPem ? { rootCertificatePem: rootPem } : undefined;
}

interface LockedRun {
  /** The app, rendered again when a synth generates PKI that objects embed. */
  readonly root: IConstruct;
  /** Absent for a check that reads a folder it may not write (no lock can be taken there). */
  readonly lock?: OutputLock;
  readonly outputFs: OutputFs;
  /** What recovery did (warnings). */
  readonly recovered: readonly string[];
}

/** One cluster directory: its files as rendered with the trust facts known so far. */
interface ClusterOutput {
  readonly chart: MeshCluster;
  manifests: readonly RenderedFile[];
  files: ReadonlyMap<string, string>;
  readonly objects: number;
}

const isError = (f: Finding) => f.severity === 'error';

function synthesizeLocked(rendered: Collected, outdir: string, options: SynthesizeOptions, run: LockedRun): SynthesisResult {
  let collected = rendered;
  const findings: Finding[] = [];
  const meshes = [...new Set(collected.clusters.map((c) => c.mesh))];
  // Keys and Secret manifests are refused inside the output folder (PKI key custody).
  const pkiOptions = { baseDir: options.baseDir, now: options.now, outputDirectory: outdir };

  // The mesh PKI, read only: verified public certificates where they all exist. Nothing is
  // generated here: a synth generates what is missing only once every check below has passed,
  // so a refused spec leaves the project's PKI folders exactly as they were.
  const pki = new Map<MeshModel, MeshPkiReport>();
  const toGenerate = new Set<MeshModel>();
  for (const mesh of meshes) {
    try {
      pki.set(mesh, prepareMeshPki(mesh, { ...pkiOptions, readOnly: true }));
    } catch (e) {
      if (!(e instanceof PkiError)) throw e;
      // A missing file is what a synth generates; an expired or broken certificate it cannot fix.
      if (options.check || e.code !== 'MISSING_FILE') findings.push(...e.findings);
      else toGenerate.add(mesh);
    }
  }

  // The mesh check (static `istioctl multicluster check`) over what is about to be written. A mesh
  // whose PKI is about to be generated is checked without certificates first, and with them once
  // they exist (its existing certificates are verified by the generation itself, before it writes).
  const checks = new Map(meshes.map((mesh) => [mesh, checkOneMesh(collected, mesh, pki.get(mesh), options.now)]));
  findings.push(...[...checks.values()].flat().filter(isError));

  const dirNames = new Map<string, string>();
  const clusterOutputs: ClusterOutput[] = [];
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
    const objects = objectsOf(collected, cluster.name);
    const { files: manifests, duplicates } = renderManifests(objects);
    findings.push(...duplicates.map((message) => gateFinding('layout', message)));
    const output: ClusterOutput = { chart, manifests, files: new Map(), objects: objects.length };
    renderOutput(output, pki.get(mesh), findings);
    clusterOutputs.push(output);
  }
  const fleets = renderFleets(meshes, collected, options, findings);
  if (findings.length > 0) throw new SynthesisError(findings);

  if (!options.check) {
    // Before generating CA material, make sure the output folder accepts the plan (a conflict refuses it).
    if (toGenerate.size > 0) planMeshes(outdir, clusterOutputs, fleets);
    for (const mesh of meshes) {
      run.lock?.refresh();
      try {
        pki.set(mesh, prepareMeshPki(mesh, pkiOptions));
      } catch (e) {
        if (!(e instanceof PkiError)) throw e;
        findings.push(...e.findings);
      }
    }
    // Objects that embed the trust material generated just now render again, through every gate.
    // (Today only federation bootstrap bundles embed it, so other meshes are not rendered twice.)
    for (const mesh of toGenerate) setMeshTrustMaterial(mesh, trustMaterialOf(pki.get(mesh)));
    if ([...toGenerate].some((mesh) => mesh.federation !== undefined && pki.get(mesh)?.certificates !== undefined)) {
      const again = renderAndGate(run.root, options);
      findings.push(...again.findings);
      collected = again.collected;
      for (const output of clusterOutputs) {
        output.manifests = renderManifests(objectsOf(collected, output.chart.cluster.name)).files;
      }
    }
    for (const mesh of toGenerate) {
      const report = pki.get(mesh);
      if (!report) continue;
      checks.set(mesh, checkOneMesh(collected, mesh, report, options.now));
      for (const output of clusterOutputs.filter((o) => o.chart.mesh === mesh)) renderOutput(output, report, findings);
    }
    findings.push(...[...toGenerate].flatMap((mesh) => checks.get(mesh) ?? []).filter(isError));
    if (findings.length > 0) throw new SynthesisError(findings);
  }
  const checkFindings = meshes.flatMap((mesh) => checks.get(mesh) ?? []);

  // Plan every mesh before applying any, so that a conflict in one writes nothing at all.
  const plans = planMeshes(outdir, clusterOutputs, fleets);
  // The review page for pull requests (dist/README.md), over every mesh of the app.
  const prerequisites = prerequisiteLists(collected);
  const reviewPage = renderReviewPage(
    meshes.map((mesh) => {
      const names = new Set(mesh.clusters.map((c) => c.name));
      const inMesh = (cluster: string | undefined) => cluster !== undefined && names.has(cluster);
      const objectCounts: Record<string, Record<string, number>> = {};
      const stageCounts: Record<string, Record<string, number>> = {};
      for (const o of collected.objects) {
        if (!inMesh(o.cluster)) continue;
        const perCluster = (objectCounts[o.cluster] ??= {});
        perCluster[o.component] = (perCluster[o.component] ?? 0) + 1;
        const stage = applyStageOf(o.manifest);
        if (stage !== undefined) {
          const perStage = (stageCounts[o.cluster] ??= {});
          perStage[stage] = (perStage[stage] ?? 0) + 1;
        }
      }
      return {
        mesh,
        objectCounts,
        stageCounts,
        certificates: pki.get(mesh)?.certificates,
        fleet: fleets.get(mesh.name),
        findings: checkFindings.filter((f) => inMesh(f.cluster) || !f.cluster),
        prerequisites: prerequisites.filter((p) => p.mesh === mesh.name),
        // The sha256 of each directory's index, which lists the sha256 of every file: one value that changes with any file.
        directoryDigests: Object.fromEntries(
          clusterOutputs
            .filter((o) => o.chart.mesh === mesh)
            .map((o) => [o.chart.cluster.name, `sha256:${sha256(o.files.get(INDEX_FILE) ?? '')}`]),
        ),
        // What the constructs recorded: the same on every run of the same spec (warnings of the disk, the clock or a
        // recovered run are in the synth summary only).
        warnings: collected.clusterWarnings.filter((w: CollectedWarning) => w.cluster === undefined || inMesh(w.cluster)),
      };
    }),
  );
  const reviewPlan = planOwnedFile(outdir, REVIEW_PAGE_FILE, reviewPage, REVIEW_PAGE_MARKER);
  const upToDate = plans.every((p) => !planHasChanges(p.plan)) && !planHasChanges(reviewPlan);
  const plannedWrites = new Map([...plans.flatMap((p) => [...p.plan.operations]), ...reviewPlan.operations]);
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
  if (!options.check) {
    // What the next synth of the same inputs reuses (bookkeeping: not a change of the output, so not in plannedWrites).
    const indexTexts = new Map<string, string>([
      ...clusterOutputs.map((o): [string, string] => [o.chart.cluster.name, o.files.get(INDEX_FILE) ?? '']),
      ...[...fleets.values()].map((f): [string, string] => [FLEET_DIRECTORY, f.files.get(INDEX_FILE) ?? '']),
    ]);
    const output = { clusters, indexTexts, reviewPage, collected, checkFindings, prerequisites };
    const record = synthRecordPlan(outdir, run.root, meshes, pki, output, options);
    // One application of every change, so a failure half-way rolls back all of them.
    applyOutput(
      { outdir, directories: [], warnings: [], operations: new Map([...plannedWrites, ...(record?.operations ?? [])]) },
      { fs: run.outputFs, beforeSwitch: () => run.lock?.assertHeld() },
    );
  }

  return {
    outdir,
    clusters,
    warnings: [
      ...run.recovered,
      ...collected.warnings,
      ...[...pki.values()].flatMap((p) => p.warnings),
      ...checkFindings.map(formatCheckFinding),
      ...plans.flatMap((p) => p.plan.warnings),
    ],
    prerequisites,
    checkFindings,
    upToDate,
    reused: false,
    directories: [...plans.flatMap((p) => p.plan.directories), ...reviewPlan.directories],
    plannedWrites,
  };
}

/**
 * The plan that writes `spiremesh-synth.json`: the folder as this synth leaves it (the directories it renders; those it
 * prunes are gone), or undefined when it records nothing (its code cannot be known, or a mesh is not reusable).
 */
function synthRecordPlan(
  outdir: string,
  root: IConstruct,
  meshes: readonly MeshModel[],
  pki: ReadonlyMap<MeshModel, MeshPkiReport>,
  output: {
    /** Every directory of the plan, in output order. */
    clusters: readonly ClusterSummary[];
    /** The index of every directory rendered, by directory. */
    indexTexts: ReadonlyMap<string, string>;
    reviewPage: string;
    collected: Collected;
    checkFindings: readonly CheckFinding[];
    prerequisites: readonly ClusterPrerequisiteList[];
  },
  options: SynthesizeOptions,
): WritePlan | undefined {
  if (!mayRecord(meshes, options)) return undefined;
  const inputs = synthesisInputs(root, meshes, pki);
  if (inputs === undefined) return undefined;
  const rendered = (dir: string) => output.indexTexts.has(dir);
  const gen = generatorInfo();
  const text = renderSynthRecord(
    {
      inputs,
      ...quietPeriod(pki.values()),
      reviewPage: sha256(output.reviewPage),
      directories: output.clusters
        .filter((c) => rendered(c.cluster))
        .map((c) => ({
          mesh: c.mesh,
          cluster: c.cluster,
          index: sha256(output.indexTexts.get(c.cluster) ?? ''),
          objects: c.objects,
          files: c.files,
        })),
      warnings: output.collected.warnings,
      checkFindings: output.checkFindings,
      prerequisites: output.prerequisites,
    },
    `${gen.name} ${gen.version}`,
  );
  return planOwnedFile(outdir, SYNTH_RECORD_FILE, text, SYNTH_RECORD_MARKER);
}

/** The objects of each cluster directory, in collection order: grouped once per collection (it is never changed). */
const OBJECTS_BY_CLUSTER = new WeakMap<Collected, ReadonlyMap<string, readonly RenderedObject[]>>();
const NO_OBJECTS: readonly RenderedObject[] = [];

/** The collected objects of one cluster directory, in collection order (what filtering them by cluster gives). */
function objectsOf(collected: Collected, cluster: string): readonly RenderedObject[] {
  let byCluster = OBJECTS_BY_CLUSTER.get(collected);
  if (!byCluster) {
    const groups = new Map<string, RenderedObject[]>();
    for (const o of collected.objects) {
      const list = groups.get(o.cluster);
      if (list) list.push(o);
      else groups.set(o.cluster, [o]);
    }
    byCluster = groups;
    OBJECTS_BY_CLUSTER.set(collected, byCluster);
  }
  return byCluster.get(cluster) ?? NO_OBJECTS;
}

/** The collected prerequisites with each cluster's mesh and kube context. */
function prerequisiteLists(collected: Collected): ClusterPrerequisiteList[] {
  const charts = new Map<string, MeshCluster>();
  // The first chart of a name, as a search in collection order finds it.
  for (const c of collected.clusters) if (!charts.has(c.cluster.name)) charts.set(c.cluster.name, c);
  return collected.prerequisites.flatMap((p) => {
    const chart = charts.get(p.cluster);
    return chart ? [{ mesh: chart.mesh.name, cluster: p.cluster, context: chart.cluster.context, prerequisites: p.prerequisites }] : [];
  });
}

/** The multicluster check of one mesh, with its certificates when they exist. */
function checkOneMesh(collected: Collected, mesh: MeshModel, report: MeshPkiReport | undefined, now: Date | undefined): CheckFinding[] {
  const certs = report?.certificates;
  return checkMesh({
    mesh,
    clusters: collected.clusters
      .filter((c) => c.mesh === mesh)
      .map((c) => ({
        cluster: c.cluster,
        manifests: objectsOf(collected, c.cluster.name).map((o) => o.manifest),
        istio: Istio.of(c)?.releases,
        releases: c.delivery.releases,
      })),
    certificates: certs && { root: certs.root, clusters: certs.clusters },
    now,
  });
}

/** (Re)renders a cluster directory with the mesh's trust facts; a PEM private key in any file is a finding. */
function renderOutput(output: ClusterOutput, report: MeshPkiReport | undefined, findings: Finding[]): void {
  const { mesh, cluster } = output.chart;
  output.files = renderClusterFiles(mesh, cluster, output.manifests, trustFacts(report, cluster.name)).files;
  for (const [rel, text] of output.files) {
    if (fileTextHasPrivateKey(text)) findings.push(gateFinding('secrets', `${cluster.name}/${rel} would contain a PEM private key`));
  }
}

/**
 * The fleet bootstrap of every mesh with a `gitops` section, through the same gates as the cluster
 * objects. One output folder holds one bootstrap: a second mesh with one is a finding.
 */
function renderFleets(
  meshes: readonly MeshModel[],
  collected: Collected,
  options: SynthesizeOptions,
  findings: Finding[],
): Map<string, FleetBootstrap> {
  const fleets = new Map<string, FleetBootstrap>();
  for (const mesh of meshes) {
    const byCluster = new Map(mesh.clusters.map((c) => [c.name, objectsOf(collected, c.name)]));
    const fleet = renderFleetBootstrap(mesh, byCluster);
    if (!fleet) continue;
    const other = [...fleets.keys()][0];
    if (other !== undefined) {
      findings.push(
        gateFinding(
          'layout',
          `meshes '${other}' and '${mesh.name}' both render the fleet bootstrap ${FLEET_DIRECTORY}/ into one output folder`,
          {},
          'synthesize each mesh with a gitops section into its own output folder (its own repository path)',
        ),
      );
      continue;
    }
    findings.push(...objectGates(fleet.objects, options.schemaRegistry ?? SchemaRegistry.default()));
    // What one Argo CD receives must have one identity per object: with a hub that is every cluster's Applications.
    if (mesh.gitops?.isArgoCdHub) findings.push(...renderManifests(fleet.objects).duplicates.map((m) => gateFinding('layout', m)));
    fleets.set(mesh.name, fleet);
  }
  return fleets;
}

/** One write plan per mesh (mesh order as declared), with its fleet bootstrap; throws on a conflict in the output folder. */
function planMeshes(
  outdir: string,
  outputs: readonly ClusterOutput[],
  fleets: ReadonlyMap<string, FleetBootstrap>,
): { mesh: string; plan: WritePlan; objects: Map<string, number> }[] {
  const byMesh = new Map<string, ClusterOutput[]>();
  for (const o of outputs) {
    const list = byMesh.get(o.chart.mesh.name);
    if (list) list.push(o);
    else byMesh.set(o.chart.mesh.name, [o]);
  }
  return [...byMesh].map(([mesh, list]) => {
    const fleet = fleets.get(mesh);
    return {
      mesh,
      plan: planOutput(outdir, mesh, [
        ...list.map((o) => ({ dir: o.chart.cluster.name, files: o.files })),
        ...(fleet ? [{ dir: FLEET_DIRECTORY, files: fleet.files }] : []),
      ]),
      objects: new Map([
        ...list.map((o): [string, number] => [o.chart.cluster.name, o.objects]),
        ...(fleet ? [[FLEET_DIRECTORY, fleet.objects.length] as [string, number]] : []),
      ]),
    };
  });
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
