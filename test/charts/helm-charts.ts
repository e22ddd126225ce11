/**
 * The real chart archives of ../shared/charts, rendered with the real helm binary: `helm show
 * values` for what a chart declares, the archive's files for what its templates read, and
 * `helm template` with exactly the flags spiremesh's helm-template delivery passes
 * (lib/delivery/helm-template.ts). Renders are asynchronous, run a few at a time, and cached
 * per (archive, release name, namespace, values), so identical releases of different clusters
 * and variants are rendered once.
 */
import { execFile } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { HELM_TEMPLATE_KUBE_VERSION } from '../../lib/delivery/names';

/** One rendered Kubernetes object, as plain data. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

export interface HelmRun {
  /** Exit code of helm; null when it could not be started or was killed. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RenderResult extends HelmRun {
  /** The command line, for failure messages. */
  readonly command: string;
  /** The rendered objects (empty unless helm exited 0). */
  readonly objects: readonly RenderedObject[];
  /** Wall time of the helm run in seconds (0 for a cache hit of an earlier identical render). */
  readonly seconds: number;
}

/** At most `limit` tasks at a time. */
class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  public constructor(private readonly limit: number) {}

  public async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

function run(executable: string, args: readonly string[]): Promise<HelmRun> {
  return new Promise((resolve) => {
    execFile(executable, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error
        ? typeof (error as { code?: unknown }).code === 'number'
          ? ((error as { code: number }).code as number)
          : null
        : 0;
      resolve({ exitCode: code, stdout, stderr: stderr || (error && code === null ? error.message : '') });
    });
  });
}

/** JSON with object keys sorted, so equal values give equal cache keys. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Parses helm's multi-document output into objects (empty documents dropped); throws on invalid YAML. */
export function parseManifests(text: string): RenderedObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`helm output is not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const o = doc.toJS() as RenderedObject | null;
    return o && typeof o === 'object' ? [o] : [];
  });
}

/** One chart archive: its existence, declared values and files. */
export class ChartArchive {
  private declared?: Promise<Record<string, unknown>>;
  private extracted?: Promise<string>;

  public constructor(
    /** Absolute path of the .tgz. */
    public readonly file: string,
    private readonly charts: HelmCharts,
  ) {}

  public get exists(): boolean {
    return fs.existsSync(this.file);
  }

  /** The chart's own values.yaml, as `helm show values` prints it. */
  public declaredValues(): Promise<Record<string, unknown>> {
    this.declared ??= this.charts.limited(async () => {
      const shown = await run(this.charts.helm, ['show', 'values', this.file]);
      if (shown.exitCode !== 0) throw new Error(`helm show values ${this.file} exited with ${shown.exitCode}: ${shown.stderr.trim()}`);
      return (parse(shown.stdout) as Record<string, unknown> | null) ?? {};
    });
    return this.declared;
  }

  /** The chart folder (the archive unpacked into the scratch folder), for reading its templates and files. */
  public chartDirectory(): Promise<string> {
    this.extracted ??= this.charts.limited(async () => {
      const into = fs.mkdtempSync(path.join(this.charts.scratch, 'chart-'));
      const unpacked = await run('tar', ['-xzf', this.file, '-C', into]);
      if (unpacked.exitCode !== 0) throw new Error(`tar -xzf ${this.file} exited with ${unpacked.exitCode}: ${unpacked.stderr.trim()}`);
      // `helm package` puts the chart in one top-level folder named after the chart.
      const [top, ...more] = fs.readdirSync(into);
      if (!top || more.length > 0)
        throw new Error(`${this.file} does not hold exactly one chart folder (found: ${[top, ...more].join(', ')})`);
      return path.join(into, top);
    });
    return this.extracted;
  }

  /** A file of the chart (e.g. `templates/configmap.yaml`), or undefined when it has none. */
  public async readFile(relative: string): Promise<string | undefined> {
    const file = path.join(await this.chartDirectory(), relative);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  }

  /** Every template of the chart (`templates/**`), relative path → text. */
  public templates(): Promise<Readonly<Record<string, string>>> {
    this.templateTexts ??= this.chartDirectory().then((root) => {
      const out: Record<string, string> = {};
      const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) walk(full);
          else out[path.relative(root, full)] = fs.readFileSync(full, 'utf8');
        }
      };
      walk(path.join(root, 'templates'));
      return out;
    });
    return this.templateTexts;
  }

  /**
   * Every `.Values.<a>.<b>...` the templates name, dotted path → templates naming it (the
   * `(.Values.x).y` form is read as `x.y`, the way templates guard optional maps).
   */
  public valueReferences(): Promise<ReadonlyMap<string, readonly string[]>> {
    this.references ??= this.templates().then((templates) => {
      const refs = new Map<string, string[]>();
      const pattern = /\(?\.Values((?:\.[A-Za-z_][\w-]*|\)\.[A-Za-z_][\w-]*)+)/g;
      for (const [file, text] of Object.entries(templates)) {
        for (const m of text.matchAll(pattern)) {
          const dotted = m[1].replace(/\)/g, '').slice(1);
          const files = refs.get(dotted) ?? [];
          if (!files.includes(file)) files.push(file);
          refs.set(dotted, files);
        }
      }
      return refs;
    });
    return this.references;
  }

  private templateTexts?: Promise<Readonly<Record<string, string>>>;
  private references?: Promise<ReadonlyMap<string, readonly string[]>>;
}

/** The helm binary, a scratch folder for values files and unpacked charts, and the render cache. */
export class HelmCharts {
  /** Scratch folder; removed by `dispose`. */
  public readonly scratch: string;
  private readonly archives = new Map<string, ChartArchive>();
  private readonly renders = new Map<string, Promise<RenderResult>>();
  private readonly limiter: Limiter;
  private helmRuns = 0;

  public constructor(
    public readonly helm: string,
    parallelism = Math.max(2, Math.min(4, os.availableParallelism?.() ?? os.cpus().length)),
  ) {
    this.scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-real-charts-'));
    this.limiter = new Limiter(parallelism);
  }

  public limited<T>(task: () => Promise<T>): Promise<T> {
    return this.limiter.run(task);
  }

  public archive(file: string): ChartArchive {
    let a = this.archives.get(file);
    if (!a) this.archives.set(file, (a = new ChartArchive(file, this)));
    return a;
  }

  /** Number of `helm template` runs so far (cache hits excluded). */
  public get templateRuns(): number {
    return this.helmRuns;
  }

  /**
   * `helm template <releaseName> <archive> --namespace <ns> --values <file> --include-crds --kube-version <v>`:
   * the flags of lib/delivery/helm-template.ts (the cdk8s Helm construct passes the values as a
   * values file, the release name and the namespace), with its Kubernetes version.
   */
  public render(archive: ChartArchive, releaseName: string, namespace: string, values: object): Promise<RenderResult> {
    const json = canonicalJson(values);
    const key = `${archive.file}\0${releaseName}\0${namespace}\0${json}`;
    const cached = this.renders.get(key);
    if (cached) return cached.then((r) => ({ ...r, seconds: 0 }));
    const rendered = this.limited(async () => {
      const valuesFile = path.join(this.scratch, `values-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
      // JSON is YAML: helm reads the file as it reads any values file.
      fs.writeFileSync(valuesFile, json);
      const args = [
        'template',
        releaseName,
        archive.file,
        '--namespace',
        namespace,
        '--values',
        valuesFile,
        '--include-crds',
        '--kube-version',
        HELM_TEMPLATE_KUBE_VERSION,
      ];
      const started = process.hrtime.bigint();
      this.helmRuns++;
      const result = await run(this.helm, args);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      fs.rmSync(valuesFile, { force: true });
      return {
        ...result,
        command: `helm ${args.join(' ')}`,
        objects: result.exitCode === 0 ? parseManifests(result.stdout) : [],
        seconds,
      };
    });
    this.renders.set(key, rendered);
    return rendered;
  }

  /**
   * Executes a Go template (text/template with the sprig functions, as Istio's sidecar injector does:
   * istio/istio pkg/kube/inject, 1.29.1) on `context`, through helm's `tpl` in a one-file chart, and
   * returns its output. Used for the injection templates that istiod renders per pod.
   */
  public async executeGoTemplate(text: string, context: object): Promise<string> {
    const chart = this.tplChart();
    const r = await this.render(this.archive(chart), 'tpl', 'default', { text, context });
    if (r.exitCode !== 0) throw new Error(`${r.command} exited with ${r.exitCode}:\n${r.stderr.trim()}`);
    const out = r.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'tpl-output') as
      { data?: { output?: string } } | undefined;
    if (out?.data?.output === undefined) throw new Error(`${r.command} rendered no ConfigMap tpl-output`);
    return out.data.output;
  }

  private tplChartDir?: string;

  private tplChart(): string {
    if (!this.tplChartDir) {
      const dir = path.join(this.scratch, 'tpl-chart');
      fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: tpl\nversion: 0.1.0\n');
      fs.writeFileSync(
        path.join(dir, 'templates', 'output.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tpl-output\ndata:\n  output: {{ tpl .Values.text .Values.context | toJson }}\n',
      );
      this.tplChartDir = dir;
    }
    return this.tplChartDir;
  }

  public dispose(): void {
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }
}
