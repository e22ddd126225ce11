/**
 * Whether a chart knows the values spiremesh delivers to it. Helm passes unknown keys through
 * without a word (only the gateway chart of Istio 1.29.1 ships a values.schema.json), so a
 * misspelt or misplaced key would be silently ignored. A delivered leaf path is known when the
 * chart's own values.yaml (`helm show values`) declares it, or declares a parent as a free-form
 * map (`{}` or null, e.g. istiod `env: {}`), or when a template reads it without declaring it:
 * directly (a template contains `.Values.<the whole path>`, found by searching the archive's
 * templates), or as part of a subtree that a template renders or merges whole. Those subtree reads
 * are listed below with the template text that reads them, and that text is checked in every
 * archive the entry is applied to, so an entry cannot outlive the chart fact it cites.
 */
import { parse } from 'yaml';
import { ChartArchive } from './helm-charts';

/** A rule of the charts' value handling, proven by a text of one of their templates. */
export interface TemplateFact {
  /** Charts (by name) the rule holds for. */
  readonly charts: readonly string[];
  /** File of the chart that implements it. */
  readonly template: string;
  /** Text of that file that implements it (checked in each archive the rule is used for). */
  readonly reads: string;
  /** What the rule means for the delivered values. */
  readonly why: string;
}

/** A delivered subtree that a template reads although values.yaml does not declare it. */
export interface UndeclaredRead extends TemplateFact {
  /** Dotted path: the delivered path itself or any path under it. */
  readonly path: string;
}

/** A prefix that a template copies onto another before the other templates read the values. */
export interface ValueAlias extends TemplateFact {
  /** Dotted prefix of the delivered path, e.g. `pilot`. */
  readonly from: string;
  /** Dotted prefix it is read as; '' for the top level. */
  readonly to: string;
}

/** The five Istio charts (istio/istio manifests/charts, 1.29.1, and the Solo 1.29.0 snapshot): same profile machinery. */
const ISTIO_CHARTS = ['base', 'istiod', 'cni', 'ztunnel', 'gateway'] as const;

/**
 * The Istio charts keep their defaults under `_internal_defaults_do_not_set` and merge the user's
 * values over them (templates/zzz_profile.yaml of each chart), so the declared keys are that subtree's.
 */
export const DEFAULTS_WRAPPER: TemplateFact & { readonly key: string } = {
  key: '_internal_defaults_do_not_set',
  charts: ISTIO_CHARTS,
  template: 'templates/zzz_profile.yaml',
  reads: '{{- $defaults := $.Values._internal_defaults_do_not_set }}',
  why: 'the chart defaults live under _internal_defaults_do_not_set; zzz_profile.yaml merges .Values over them',
};

/**
 * The selected profile's file is merged over the defaults (templates/zzz_profile.yaml), so the keys
 * of `files/profile-<profile>.yaml` count as declared.
 */
export const PROFILE_FILE: TemplateFact = {
  charts: ISTIO_CHARTS,
  template: 'templates/zzz_profile.yaml',
  reads: '{{- with $.Files.Get (printf "files/profile-%s.yaml" .)}}',
  why: 'the keys of files/profile-<profile>.yaml are merged over the defaults',
};

/**
 * Delivered subtrees that templates read whole without values.yaml declaring their keys; each names the template that
 * reads it. (Paths a template names in full, such as `profile` in `($.Values).profile` of zzz_profile.yaml or the Solo
 * istiod's `.Values.license.secretRef.name`, are found in the templates themselves and need no entry.)
 */
export const UNDECLARED_READS: readonly UndeclaredRead[] = [
  {
    path: 'env',
    charts: ['istiod'],
    template: 'templates/deployment.yaml',
    reads: '{{- range $key, $val := .Values.env }}',
    why: 'every entry of env becomes an env var of the discovery container (the Solo chart declares env with a default entry, so it is no free-form `{}` there)',
  },
  {
    path: 'meshConfig',
    charts: ['istiod'],
    template: 'templates/configmap.yaml',
    reads: '{{- $mesh := mergeOverwrite $originalMesh .Values.meshConfig }}',
    why: 'the whole of meshConfig is merged into the mesh config of ConfigMap istio[-<revision>] (the chart: "meshConfig.foo becomes the API")',
  },
];

/** Prefixes a template copies elsewhere; a path under `from` is known when its `to` form is. */
export const VALUE_ALIASES: readonly ValueAlias[] = [
  {
    from: 'pilot',
    to: '',
    charts: ['istiod'],
    template: 'templates/zzy_descope_legacy.yaml',
    reads: '{{- $_ := mustMergeOverwrite $.Values (index $.Values "pilot") }}',
    why: 'everything under .pilot is copied to the top level before the other templates read .Values',
  },
  {
    from: 'global',
    to: '',
    charts: ['ztunnel', 'gateway'],
    template: 'templates/zzz_profile.yaml',
    reads: '{{- if true }}\n{{- $a := mustMergeOverwrite $defaults ($profile.global) ($.Values.global | default dict)  }}',
    why: 'these charts flatten .global into the top level ("Flatten globals" is on)',
  },
];

/** A delivered path the chart neither declares nor reads. */
export interface UnknownPath {
  readonly path: string;
  /** Templates of the chart that mention the path's last key (a hint; empty when none does). */
  readonly mentionedBy: readonly string[];
}

/** A delivered path that values.yaml does not declare but a template reads by its full name. */
export interface DirectRead {
  readonly path: string;
  /** The path as the templates read it (after an alias such as istiod's `pilot.`). */
  readonly readAs: string;
  readonly templates: readonly string[];
}

export interface ValuePathReport {
  readonly unknown: readonly UnknownPath[];
  /** Rules the verdict relied on, each proven in this archive. */
  readonly used: readonly TemplateFact[];
  readonly directReads: readonly DirectRead[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Dotted paths of the leaves of `values` (an empty object or array is a leaf). */
export function leafPaths(values: unknown, prefix: readonly string[] = []): string[][] {
  if (!isPlainObject(values) || (Object.keys(values).length === 0 && prefix.length > 0)) return [[...prefix]];
  return Object.entries(values).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}

/**
 * 'declared' when values.yaml has the path; 'free-form' when it declares a parent as an empty map or
 * null (any key below is the chart's API); undefined otherwise (also when a declared scalar or list
 * would be given keys).
 */
function lookup(declared: Record<string, unknown>, segments: readonly string[]): 'declared' | 'free-form' | undefined {
  let node: unknown = declared;
  for (let i = 0; i < segments.length; i++) {
    if (node === null && i > 0) return 'free-form';
    if (!isPlainObject(node)) return undefined;
    if (Object.keys(node).length === 0 && i > 0) return 'free-form';
    if (!(segments[i] in node)) return undefined;
    node = node[segments[i]];
  }
  return 'declared';
}

function startsWith(segments: readonly string[], dotted: string): boolean {
  const prefix = dotted === '' ? [] : dotted.split('.');
  return prefix.length <= segments.length && prefix.every((s, i) => segments[i] === s);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/**
 * Checks every leaf path of `values` (delivered to chart `chart` from `archive`) against the chart's
 * declared values and the template facts above. A rule counts only where its template text is in
 * this archive.
 */
export function checkValuePaths(archive: ChartArchive, chart: string, values: object): Promise<ValuePathReport> {
  const key = `${chart}\0${JSON.stringify(values)}`;
  let byValues = reports.get(archive);
  if (!byValues) reports.set(archive, (byValues = new Map()));
  let report = byValues.get(key);
  if (!report) byValues.set(key, (report = check(archive, chart, values)));
  return report;
}

/** Reports per archive and (chart, values): the same release values of many clusters are checked once. */
const reports = new WeakMap<ChartArchive, Map<string, Promise<ValuePathReport>>>();

async function check(archive: ChartArchive, chart: string, values: object): Promise<ValuePathReport> {
  const proven = new Map<TemplateFact, boolean>();
  const holds = async (fact: TemplateFact): Promise<boolean> => {
    if (!fact.charts.includes(chart)) return false;
    if (!proven.has(fact)) proven.set(fact, (await archive.readFile(fact.template))?.includes(fact.reads) ?? false);
    return proven.get(fact)!;
  };
  const used = new Set<TemplateFact>();

  let declared = await archive.declaredValues();
  if (DEFAULTS_WRAPPER.key in declared && (await holds(DEFAULTS_WRAPPER))) {
    used.add(DEFAULTS_WRAPPER);
    const { [DEFAULTS_WRAPPER.key]: defaults, ...rest } = declared;
    declared = deepMerge(isPlainObject(defaults) ? defaults : {}, rest);
  }
  const profile = (values as Record<string, unknown>).profile;
  if (typeof profile === 'string' && (await holds(PROFILE_FILE))) {
    const text = await archive.readFile(`files/profile-${profile}.yaml`);
    if (text !== undefined) {
      used.add(PROFILE_FILE);
      const profileValues = parse(text) as unknown;
      if (isPlainObject(profileValues)) declared = deepMerge(declared, profileValues);
    }
  }

  const templates = await archive.templates();
  const references = await archive.valueReferences();
  const directReads: DirectRead[] = [];
  /** Templates that read `.Values.<segments>` by that exact path. */
  const readers = (segments: readonly string[]): readonly string[] => references.get(segments.join('.')) ?? [];

  const known = async (segments: readonly string[], original: readonly string[] = segments): Promise<boolean> => {
    if (lookup(declared, segments)) return true;
    const direct = readers(segments);
    if (direct.length > 0) {
      directReads.push({ path: original.join('.'), readAs: segments.join('.'), templates: direct });
      return true;
    }
    for (const read of UNDECLARED_READS) {
      if (startsWith(segments, read.path) && (await holds(read))) {
        used.add(read);
        return true;
      }
    }
    for (const alias of VALUE_ALIASES) {
      if (startsWith(segments, alias.from) && (await holds(alias))) {
        const to = alias.to === '' ? [] : alias.to.split('.');
        const rewritten = [...to, ...segments.slice(alias.from.split('.').length)];
        if (rewritten.length > 0 && (await known(rewritten, original))) {
          used.add(alias);
          return true;
        }
      }
    }
    return false;
  };

  const unknown: UnknownPath[] = [];
  for (const segments of leafPaths(values)) {
    if (await known(segments)) continue;
    const last = segments[segments.length - 1];
    const mentionedBy = Object.entries(templates)
      .filter(([, text]) => new RegExp(`\\.${escapeRegExp(last)}(?![\\w-])`).test(text))
      .map(([file]) => file)
      .sort();
    unknown.push({ path: segments.join('.'), mentionedBy });
  }
  return { unknown, used: [...used], directReads };
}
