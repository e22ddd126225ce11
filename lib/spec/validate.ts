/**
 * Validation of a mesh spec document: the JSON schema first (shape, types, unknown fields),
 * then the semantic rules that a schema cannot express (name syntax, uniqueness, links,
 * version facts). Every problem is collected, so one run reports all of them.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { SOLO_REPOSITORIES, SUPPORTED_ISTIO_MINORS } from '../versions';
import { CatalogProduct, ISTIO_RELEASES, unlistedReleaseProblem } from './catalog';
import { CaDeliveryMode, ChartDeliveryMode, DataplaneMode, EastWestServiceType, IstioDistribution } from './choices';
import { MeshSpecDocument } from './document';
import { SpecPath, SpecProblem } from './errors';
import { pkiPathProblems } from './pki-paths';
import { clusterTopologyProblems, federationProblems } from './validate-topology';
import { gitOpsProblems } from './validate-gitops';
import { MESH_SPEC_SCHEMA } from './schema';
import { overridesProblems } from './overrides';
import {
  addressProblem,
  dns1123LabelProblem,
  editDistance,
  isDns1123Subdomain,
  labelValueProblem,
  parseVersion,
  suggestDns1123Label,
  trustDomainProblem,
  versionProblem,
} from './syntax';

/** ajv's options for the spec schema (part of the precompiled module's input digest). */
export const SPEC_AJV_OPTIONS = { allErrors: true, strict: true };
/**
 * The spec schema's validator as ajv standalone code, written by `npm run build` (imports/schemas is copied into build/):
 * compiling the schema at run time is about 0.2 s of every process.
 */
export const SPEC_VALIDATOR_MODULE = path.join(__dirname, '..', '..', 'imports', 'schemas', 'mesh-spec-validator.js');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const AJV_VERSION: string = require('ajv/package.json').version;

/** What the validator is compiled from: ajv's version and options, and the schema. */
export function specValidatorDigest(): string {
  return createHash('sha256')
    .update(`ajv ${AJV_VERSION} ${JSON.stringify(SPEC_AJV_OPTIONS)}\n${JSON.stringify(MESH_SPEC_SCHEMA)}`)
    .digest('hex');
}

let shapeValidator: ValidateFunction | undefined;

/**
 * Validates `input` with the precompiled validator when its module was compiled from this schema by this ajv, else with
 * one compiled here (once); returns the validator (its `errors`).
 */
function validatedShape(input: unknown): ValidateFunction {
  if (!shapeValidator) {
    let module: (ValidateFunction & { inputDigest?: string }) | undefined;
    try {
      // A generated CommonJS module at a path known only at run time (git-ignored; a build cut short leaves none).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      if (fs.existsSync(SPEC_VALIDATOR_MODULE)) module = require(SPEC_VALIDATOR_MODULE);
    } catch {
      module = undefined;
    }
    shapeValidator =
      typeof module === 'function' && module.inputDigest === specValidatorDigest()
        ? module
        : new Ajv(SPEC_AJV_OPTIONS).compile(MESH_SPEC_SCHEMA);
  }
  shapeValidator(input);
  return shapeValidator;
}

/** Writes the precompiled spec validator (`npm run build`); unchanged bytes are not rewritten, changed ones replaced by rename. */
export function writeSpecValidatorModule(file: string = SPEC_VALIDATOR_MODULE): void {
  const ajv = new Ajv({ ...SPEC_AJV_OPTIONS, code: { source: true } });
  const code = standaloneCode(ajv, ajv.compile(MESH_SPEC_SCHEMA));
  const source =
    `// The mesh spec schema's validator, precompiled by spiremesh (lib/spec/validate.ts); generated, do not edit.\n` +
    `${code};module.exports.inputDigest = ${JSON.stringify(specValidatorDigest())};\n`;
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === source) return;
  const temp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temp, source);
  fs.renameSync(temp, file);
}

/** All problems of a spec document (empty when it is valid). */
export function validateMeshSpec(input: unknown): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const validated = validatedShape(input);
  problems.push(...(validated.errors ?? []).map(schemaProblem));
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    problems.push(...semanticProblems(input as Partial<MeshSpecDocument>));
  }
  return dedupe(problems);
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => {
      const unescaped = p.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^\d+$/.test(unescaped) ? Number(unescaped) : unescaped;
    });
}

/** Finds the schema node for a data path, to list the allowed field names. */
function schemaAt(path: (string | number)[]): any {
  let node: any = MESH_SPEC_SCHEMA;
  for (const part of path) {
    node = typeof part === 'number' ? node?.items : node?.properties?.[part];
  }
  return node;
}

function schemaProblem(e: ErrorObject): SpecProblem {
  const path = pointerToPath(e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      const allowed = Object.keys(schemaAt(path)?.properties ?? {});
      const close = allowed.filter((a) => editDistance(a, field) <= 2);
      return {
        path: [...path, field],
        message: `unknown field '${field}'`,
        fix: close.length > 0 ? `did you mean '${close[0]}'?` : `remove it; allowed fields here: ${allowed.join(', ')}`,
      };
    }
    case 'required':
      return {
        path: [...path, String(e.params.missingProperty)],
        message: 'required field is missing',
        fix: `add '${e.params.missingProperty}'`,
      };
    case 'enum':
      return { path, message: `unknown value`, fix: `use one of: ${(e.params.allowedValues as unknown[]).join(', ')}` };
    case 'type':
      return {
        path,
        message: `must be ${e.params.type === 'array' ? 'a list' : `of type ${e.params.type}`}`,
        fix: `write a ${e.params.type} here`,
      };
    case 'minItems':
      return { path, message: 'must not be empty', fix: 'declare at least one cluster' };
    case 'minLength':
      return { path, message: 'must not be empty', fix: 'give it a value or leave the field out' };
    default:
      return { path, message: e.message ?? 'is invalid', fix: 'see the mesh spec reference in README.md' };
  }
}

function dedupe(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${JSON.stringify(p.path)}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';

function semanticProblems(doc: Partial<MeshSpecDocument>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const add = (path: SpecPath, message: string, fix: string) => problems.push({ path, message, fix });

  if (str(doc.name)) {
    const p = dns1123LabelProblem(doc.name);
    if (p) add(['name'], `mesh name ${p}`, `use a name such as '${suggestDns1123Label(doc.name)}'`);
  }

  const clusters = Array.isArray(doc.clusters) ? doc.clusters : [];
  const firstIndex = new Map<string, Map<string, number>>(); // field -> value -> first cluster index
  // `kind` is what must be unique (name, context, network); `field` is where the value was written.
  const unique = (kind: string, field: string, value: string, index: number, what: string, fix: string) => {
    const seen = firstIndex.get(kind) ?? new Map<string, number>();
    firstIndex.set(kind, seen);
    const first = seen.get(value);
    if (first === undefined) seen.set(value, index);
    else add(['clusters', index, field], `${what} '${value}' is already used by clusters[${first}]`, fix);
    return first === undefined;
  };

  const known = new Set<string>();
  clusters.forEach((c, i) => {
    if (!c || typeof c !== 'object') return;
    const at = (field: string): SpecPath => ['clusters', i, field];
    let nameIsUnique = true;
    if (str(c.name)) {
      known.add(c.name);
      const p = dns1123LabelProblem(c.name);
      if (p) add(at('name'), `cluster name ${p}`, `rename the cluster, e.g. '${suggestDns1123Label(c.name)}'`);
      nameIsUnique = unique('name', 'name', c.name, i, 'cluster name', 'give every cluster its own name');
    }
    // Context and network default to the cluster name; a duplicate name already explains
    // their collision, so only explicit values are checked then.
    const defaultFromName = str(c.name) && nameIsUnique ? c.name : undefined;
    const context = str(c.context) ? c.context : defaultFromName;
    if (str(c.context) && c.context.includes('_')) {
      add(
        at('context'),
        `context '${c.context}' contains '_': generated certificates use the context as a SAN, and and '_' is not allowed in a DNS name (RFC 5280 §4.2.1.6 requires the RFC 1034 preferred name syntax for dNSName)`,
        `rename the context with \`kubectl config rename-context ${c.context} ${c.context.replace(/_/g, '-')}\` and use the new name`,
      );
    }
    if (context)
      unique('context', str(c.context) ? 'context' : 'name', context, i, 'kube context', 'each cluster needs its own kubeconfig context');
    if (str(c.trustDomain)) {
      const p = trustDomainProblem(c.trustDomain);
      if (p) add(at('trustDomain'), p.problem, p.fix);
    }
    const network = str(c.network) ? c.network : defaultFromName;
    if (str(c.network)) {
      const p = labelValueProblem(c.network);
      if (p) add(at('network'), `network ${p}`, 'use a label-safe network name, e.g. the cluster name');
    }
    // Peering without a flat network needs one network per cluster ("Network configuration" check in
    // https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
    if (network)
      unique(
        'network',
        str(c.network) ? 'network' : 'name',
        network,
        i,
        'network',
        'give every cluster its own network name (peering without a flat network requires unique networks)',
      );
    for (const field of ['region', 'zone'] as const) {
      const v = c[field];
      if (str(v)) {
        const p = labelValueProblem(v);
        if (p) add(at(field), `${field} ${p}`, `use the value of the nodes' topology.kubernetes.io/${field} label`);
      }
    }
    if (str(c.eastWestAddress)) {
      const p = addressProblem(c.eastWestAddress);
      if (p)
        add(
          at('eastWestAddress'),
          `east-west address ${p}`,
          'use the load balancer IP or DNS name of the istio-eastwest gateway, without scheme or port',
        );
    }
    if (str(c.istioRevision)) {
      const p = dns1123LabelProblem(c.istioRevision);
      if (p) add(at('istioRevision'), `istio revision ${p}`, `use a revision such as '${suggestDns1123Label(c.istioRevision)}'`);
    }
    if (c.overrides !== undefined) {
      const ambient = (c.dataplaneMode ?? DataplaneMode.AMBIENT.value) === DataplaneMode.AMBIENT.value;
      problems.push(
        ...overridesProblems(at('overrides'), c.overrides, {
          cluster: str(c.name) ? c.name : `clusters[${i}]`,
          ambient,
          istioCni: typeof c.istioCni === 'boolean' ? c.istioCni : ambient,
          gateways: Array.isArray(c.ingressGateways) ? c.ingressGateways.flatMap((g) => (g && str(g.name) ? [g.name] : [])) : [],
          glooOperator: doc.chartDelivery?.mode === ChartDeliveryMode.GLOO_OPERATOR.value,
        }),
      );
    }
  });

  problems.push(...istioProblems(doc, clusters));
  problems.push(...linkProblems(doc, clusters, known));
  problems.push(...versionProblems(doc));
  problems.push(...deliveryProblems(doc));
  problems.push(...clusterTopologyProblems(doc));
  problems.push(...federationProblems(doc));
  problems.push(...gitOpsProblems(doc));
  return problems;
}

function istioProblems(doc: Partial<MeshSpecDocument>, clusters: Partial<MeshSpecDocument>['clusters'] & object): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const istio = doc.istio && typeof doc.istio === 'object' ? doc.istio : {};
  const distribution = str(istio.distribution) ? istio.distribution : IstioDistribution.SOLO.value;
  const checkVersion = (version: unknown, path: SpecPath) => {
    if (!str(version)) return;
    if (/-solo$/.test(version)) {
      problems.push({
        path,
        message: `istio version '${version}' carries the '-solo' suffix, which spiremesh adds itself for the Solo distribution (it would render '${version}-solo')`,
        fix: `write '${version.replace(/-solo$/, '')}'`,
      });
      return;
    }
    const p = versionProblem(version);
    if (p) {
      problems.push({ path, message: `istio version ${p}`, fix: "write the patch version, e.g. '1.29.1' (without the '-solo' suffix)" });
      return;
    }
    const { major, minor } = parseVersion(version);
    if (major !== 1 || minor < SUPPORTED_ISTIO_MINORS.min || minor > SUPPORTED_ISTIO_MINORS.max) {
      problems.push({
        path,
        message: `istio ${version} is outside the versions spiremesh knows (1.${SUPPORTED_ISTIO_MINORS.min} to 1.${SUPPORTED_ISTIO_MINORS.max})`,
        fix: `use a release from ${ISTIO_RELEASES[0]} to ${ISTIO_RELEASES[ISTIO_RELEASES.length - 1]} (the newest spiremesh knows)`,
      });
      return;
    }
    // A version the release catalog does not list was never released (or is newer than the catalog).
    const unlisted = doc.allowUnlistedVersions === true ? undefined : unlistedReleaseProblem('istio', version);
    if (unlisted) problems.push({ path, ...unlisted });
    // Solo 1.28 and earlier are served from per-minor repositories us-docker.pkg.dev/gloo-mesh/istio-<repo-key>
    // (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/). The Gloo Operator pulls the Solo build itself
    // from the ServiceMeshController's plain `version` (Solo's operator examples set only `version`, 1.23.6 to 1.29.1;
    // crds/gloo-operator/), so gloo-operator delivery needs no repo key.
    const operatorPulls = doc.chartDelivery?.mode === ChartDeliveryMode.GLOO_OPERATOR.value;
    if (
      distribution === IstioDistribution.SOLO.value &&
      minor < SOLO_REPOSITORIES.firstPublicMinor &&
      !str(istio.repoKey) &&
      !operatorPulls
    ) {
      problems.push({
        path: ['istio', 'repoKey'],
        message: `solo istio ${version} (1.28 and earlier) needs the 12-character repo key of its minor version`,
        fix: "set istio.repoKey to the hash at the end of us-docker.pkg.dev/gloo-mesh/istio-<repo-key> (Solo support article 'Istio images built by Solo.io'), or use 1.29 or later",
      });
    }
  };
  checkVersion(istio.version, ['istio', 'version']);
  clusters.forEach((c, i) => c && checkVersion(c.istioVersion, ['clusters', i, 'istioVersion']));
  if (str(istio.repoKey) && !/^[a-z0-9]{12}$/.test(istio.repoKey)) {
    problems.push({
      path: ['istio', 'repoKey'],
      message: `repo key '${istio.repoKey}' is not 12 lowercase letters or digits`,
      fix: 'copy only the 12-character hash at the end of the repository URL',
    });
  }
  const license = istio.license && typeof istio.license === 'object' ? istio.license : undefined;
  const external = license?.externalSecret && typeof license.externalSecret === 'object' ? license.externalSecret : undefined;
  if (license && external) problems.push(...licenseExternalSecretProblems(doc, license, external));
  if (license) {
    const byRef = str(license.secretName) || str(license.secretNamespace);
    if (external) {
      // Checked above: the ExternalSecret names the Secret (with defaults).
    } else if (str(license.value) && byRef) {
      problems.push({
        path: ['istio', 'license'],
        message: 'both a license Secret and an inline value are set',
        fix: 'keep only secretName/secretNamespace',
      });
    } else if (str(license.value) && license.allowInlineValue !== true) {
      problems.push({
        path: ['istio', 'license', 'value'],
        message: 'an inline license key would be committed to git in dist/ (istiod values)',
        fix: 'store the key in a Secret (for example through External Secrets) and set istio.license.secretName and secretNamespace (IstioLicense.fromSecret(name, namespace)); only if you accept a committed key, set allowInlineValue: true',
      });
    } else if (byRef && !(str(license.secretName) && str(license.secretNamespace))) {
      problems.push({
        path: ['istio', 'license', str(license.secretName) ? 'secretNamespace' : 'secretName'],
        message: 'a license Secret needs both a name and a namespace',
        fix: 'set secretName and secretNamespace',
      });
    } else if (!str(license.value) && !byRef) {
      problems.push({
        path: ['istio', 'license'],
        message: 'license has neither a Secret nor a value',
        fix: 'set secretName and secretNamespace',
      });
    }
    if (distribution === IstioDistribution.UPSTREAM.value) {
      problems.push({
        path: ['istio', 'license'],
        message: 'community istio reads no Solo license',
        fix: "remove istio.license or set istio.distribution to 'solo'",
      });
    }
  }
  if (distribution === IstioDistribution.UPSTREAM.value) {
    clusters.forEach((c, i) => {
      if (c && (c.dataplaneMode ?? DataplaneMode.AMBIENT.value) === DataplaneMode.AMBIENT.value) {
        problems.push({
          path: ['clusters', i, 'dataplaneMode'],
          message:
            'ambient mode with SPIRE needs the Solo distribution: community ztunnel has no SPIRE support (istio/ztunnel PR #1676 is unmerged)',
          fix: "set istio.distribution to 'solo', or use dataplaneMode 'sidecar' with upstream istio",
        });
      }
    });
  }
  return problems;
}

/**
 * `istio.license.externalSecret`: the license Secret is rendered as an ExternalSecret, so no inline value; the store is
 * named, or is the CA delivery's External Secrets store; the names are Kubernetes names.
 */
function licenseExternalSecretProblems(
  doc: Partial<MeshSpecDocument>,
  license: NonNullable<NonNullable<MeshSpecDocument['istio']>['license']>,
  external: NonNullable<NonNullable<NonNullable<MeshSpecDocument['istio']>['license']>['externalSecret']>,
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const at = ['istio', 'license'];
  if (str(license.value) || license.allowInlineValue !== undefined) {
    problems.push({
      path: [...at, 'value'],
      message: 'a license read by an ExternalSecret has no inline value',
      fix: 'remove istio.license.value and allowInlineValue: the store holds the license',
    });
  }
  const delivery = doc.pki?.delivery && typeof doc.pki.delivery === 'object' ? doc.pki.delivery : undefined;
  const caStore = delivery?.mode === CaDeliveryMode.EXTERNAL_SECRETS.value ? delivery.clusterSecretStore : undefined;
  if (!str(external.clusterSecretStore) && !str(caStore)) {
    problems.push({
      path: [...at, 'externalSecret', 'clusterSecretStore'],
      message: `the license ExternalSecret names no ClusterSecretStore, and the CA delivery (${delivery?.mode ?? CaDeliveryMode.KUBECTL.value}) has none to default to`,
      fix: "set istio.license.externalSecret.clusterSecretStore to the ClusterSecretStore that holds the license (IstioLicense.fromExternalSecret({ remoteKey, clusterSecretStore: '<store>' }))",
    });
  } else if (str(external.clusterSecretStore) && !isDns1123Subdomain(external.clusterSecretStore)) {
    problems.push({
      path: [...at, 'externalSecret', 'clusterSecretStore'],
      message: `ClusterSecretStore name '${external.clusterSecretStore}' is not a DNS-1123 subdomain`,
      fix: "use the metadata.name of the ClusterSecretStore that holds the license, e.g. 'mesh-secrets'",
    });
  }
  if (!str(external.remoteKey)) {
    problems.push({
      path: [...at, 'externalSecret', 'remoteKey'],
      message: 'the license ExternalSecret needs the remote key that holds the license',
      fix: "set istio.license.externalSecret.remoteKey, e.g. 'spiremesh/<mesh>/solo-istio-license'",
    });
  }
  if (license.secretName !== undefined && !isDns1123Subdomain(license.secretName)) {
    problems.push({
      path: [...at, 'secretName'],
      message: `license secretName '${license.secretName}' is not a DNS-1123 subdomain`,
      fix: "use a Secret name such as 'solo-istio-license', or leave it out for that default",
    });
  }
  const namespaceProblem = license.secretNamespace !== undefined ? dns1123LabelProblem(license.secretNamespace) : undefined;
  if (namespaceProblem) {
    problems.push({
      path: [...at, 'secretNamespace'],
      message: `license secretNamespace ${namespaceProblem}`,
      fix: "use istiod's namespace 'istio-system' (the default), or another namespace name",
    });
  }
  return problems;
}

function linkProblems(
  doc: Partial<MeshSpecDocument>,
  clusters: NonNullable<Partial<MeshSpecDocument>['clusters']>,
  known: Set<string>,
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const links = Array.isArray(doc.links) ? doc.links : undefined;
  const names = clusters.map((c) => (c && str(c.name) ? c.name : undefined));
  const targets = new Set<string>();
  if (links) {
    const seen = new Map<string, number>();
    links.forEach((l, i) => {
      if (!l || typeof l !== 'object') return;
      for (const end of ['from', 'to'] as const) {
        const v = l[end];
        if (str(v) && !known.has(v)) {
          problems.push({
            path: ['links', i, end],
            message: `link ${end} unknown cluster '${v}'`,
            fix: `use one of the declared clusters: ${[...known].join(', ')}`,
          });
        }
      }
      if (str(l.from) && l.from === l.to) {
        problems.push({
          path: ['links', i],
          message: `cluster '${l.from}' is linked to itself`,
          fix: 'remove the link: a cluster reaches its own services without peering',
        });
        return;
      }
      const key = `${l.from}->${l.to}`;
      if (seen.has(key)) {
        problems.push({
          path: ['links', i],
          message: `link ${l.from} -> ${l.to} duplicates links[${seen.get(key)}]`,
          fix: 'remove the duplicate (a link is one-way; list the reverse link to link both ways)',
        });
      }
      seen.set(key, i);
      if (str(l.to) && known.has(l.to) && str(l.from) && known.has(l.from)) targets.add(l.to);
    });
  } else if (names.filter(Boolean).length > 1) {
    names.forEach((n) => n && targets.add(n)); // all-to-all by default
  }
  const upstream = (doc.istio?.distribution ?? IstioDistribution.SOLO.value) === IstioDistribution.UPSTREAM.value;
  // Solo: a remote peer Gateway points at the target's east-west address, and Solo's istiod rejects an `istio-remote`
  // Gateway without `spec.addresses` (ValidatePeerGateway in platform/discovery/peering/watcher.go of Solo's Istio fork,
  // PetrMc/istio-petrmc-upstream-fork @bb9338f5), so every link target must have one. Upstream multi-network: istiod
  // discovers the target's gateway from its `istio-eastwestgateway` Service (LoadBalancer status, or node addresses with
  // NodePort), so the address is optional and only feeds the meshNetworks fallback, which a NodePort gateway cannot use
  // (network.go and ep_filters.go of istio/istio pilot/, 1.29.1).
  clusters.forEach((c, i) => {
    if (!c || !str(c.name) || !targets.has(c.name)) return;
    const nodePort = c.eastWestServiceType === EastWestServiceType.NODE_PORT.value;
    if (!upstream && !str(c.eastWestAddress)) {
      problems.push({
        path: ['clusters', i, 'eastWestAddress'],
        message: `cluster '${c.name}' is linked to by another cluster but has no east-west gateway address`,
        fix: `set clusters[${i}].eastWestAddress to the load balancer IP or DNS name of ${c.name}'s istio-eastwest gateway`,
      });
    }
    if (upstream && nodePort && str(c.eastWestAddress)) {
      problems.push({
        path: ['clusters', i, 'eastWestAddress'],
        message: `eastWestAddress '${c.eastWestAddress}' of cluster '${c.name}' is not used: with upstream istio, a NodePort east-west gateway is found by istiod from its nodes' addresses and node port (annotation traffic.istio.io/nodeSelector), and meshNetworks cannot name a node port`,
        fix: `remove clusters[${i}].eastWestAddress, or set clusters[${i}].eastWestServiceType to 'LoadBalancer'`,
      });
    }
  });
  // Community istio has no peering (istio/istio istioctl/pkg/multicluster/ has only create-remote-secret): its links are
  // rendered as multi-primary on different networks, which is for sidecar clusters
  // (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/).
  const linked = new Set<string>(targets);
  if (links) links.forEach((l) => l && str(l.from) && known.has(l.from) && l.from !== l.to && linked.add(l.from));
  const ambientLinked = clusters
    .filter(
      (c) => c && str(c.name) && linked.has(c.name) && (c.dataplaneMode ?? DataplaneMode.AMBIENT.value) === DataplaneMode.AMBIENT.value,
    )
    .map((c) => c.name);
  if (upstream && ambientLinked.length > 0) {
    problems.push({
      path: ['istio', 'distribution'],
      message: `links of community istio are rendered as multi-primary on different networks (the classic east-west gateway on port 15443), which links sidecar clusters only, but ${ambientLinked.map((n) => `'${n}'`).join(', ')} ${ambientLinked.length === 1 ? 'is' : 'are'} ambient: peering ambient clusters needs Solo's istioctl multicluster expose/link`,
      fix: `set istio.distribution to 'solo', or set dataplaneMode 'sidecar' on ${ambientLinked.join(', ')}, or remove their links`,
    });
  }
  if (str(doc.remoteSecretStore)) {
    const store = doc.remoteSecretStore;
    if (!isDns1123Subdomain(store)) {
      problems.push({
        path: ['remoteSecretStore'],
        message: `ClusterSecretStore name '${store}' is not a DNS-1123 subdomain`,
        fix: "use the metadata.name of the ClusterSecretStore that holds the remote-secret kubeconfigs, e.g. 'cluster-credentials'",
      });
    }
    if (!upstream) {
      problems.push({
        path: ['remoteSecretStore'],
        message:
          'remote secrets are for community istio: Solo peering discovers other clusters through their east-west gateways, and istiod ignores remote secrets (DISABLE_LEGACY_MULTICLUSTER)',
        fix: "remove remoteSecretStore, or set istio.distribution to 'upstream'",
      });
    } else if (targets.size === 0) {
      problems.push({
        path: ['remoteSecretStore'],
        message: 'no cluster links to another cluster, so no istiod reads a remote secret',
        fix: 'remove remoteSecretStore, or declare links between the clusters',
      });
    }
  }
  return problems;
}

function versionProblems(doc: Partial<MeshSpecDocument>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const spire = doc.spire && typeof doc.spire === 'object' ? doc.spire : {};
  const products: Record<'chartVersion' | 'crdsChartVersion' | 'version', CatalogProduct> = {
    chartVersion: 'spire-chart',
    crdsChartVersion: 'spire-crds-chart',
    version: 'spire',
  };
  for (const field of ['chartVersion', 'crdsChartVersion', 'version'] as const) {
    const v = spire[field];
    if (str(v)) {
      const p = versionProblem(v);
      if (p)
        problems.push({
          path: ['spire', field],
          message: p,
          fix: 'write an exact version such as 0.24.2: versions are pinned so that renders are reproducible',
        });
      // A version the release catalog does not list was never released (or is newer than the catalog).
      const unlisted = p || doc.allowUnlistedVersions === true ? undefined : unlistedReleaseProblem(products[field], v);
      if (unlisted) problems.push({ path: ['spire', field], ...unlisted });
    }
  }
  return problems;
}

/** Options that belong to one delivery mode must not be set with another. */
function optionsProblems(
  section: 'pki' | 'chartDelivery',
  base: SpecPath,
  value: Record<string, unknown> | undefined,
  byMode: Record<string, string[]>,
  required: Record<string, string[]>,
): SpecProblem[] {
  if (!value || typeof value !== 'object' || !str(value.mode)) return [];
  const problems: SpecProblem[] = [];
  const mode = value.mode;
  const allowed = new Set(['mode', ...(byMode[mode] ?? [])]);
  for (const key of Object.keys(value)) {
    const owner = Object.keys(byMode).find((m) => byMode[m].includes(key));
    if (!allowed.has(key) && owner) {
      problems.push({
        path: [...base, key],
        message: `'${key}' applies to ${section === 'pki' ? 'CA delivery' : 'chart delivery'} mode '${owner}', not '${mode}'`,
        fix: `remove '${key}' or set mode to '${owner}'`,
      });
    }
  }
  for (const key of required[mode] ?? []) {
    if (!str(value[key]))
      problems.push({ path: [...base, key], message: `mode '${mode}' needs '${key}'`, fix: `set ${[...base, key].join('.')}` });
  }
  return problems;
}

function deliveryProblems(doc: Partial<MeshSpecDocument>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  problems.push(
    ...optionsProblems(
      'pki',
      ['pki', 'delivery'],
      doc.pki?.delivery as Record<string, unknown> | undefined,
      {
        [CaDeliveryMode.EXTERNAL_SECRETS.value]: ['clusterSecretStore', 'remoteKeyPrefix'],
        [CaDeliveryMode.KUBECTL.value]: ['outputDirectory'],
        [CaDeliveryMode.CERT_MANAGER.value]: ['issuerName', 'issuerKind', 'rootSecretStore', 'istiodCaDuration', 'istiodCaRenewBefore'],
      },
      {
        [CaDeliveryMode.EXTERNAL_SECRETS.value]: ['clusterSecretStore'],
        [CaDeliveryMode.CERT_MANAGER.value]: ['issuerName'],
      },
    ),
  );
  problems.push(
    ...optionsProblems(
      'chartDelivery',
      ['chartDelivery'],
      doc.chartDelivery as Record<string, unknown> | undefined,
      {
        [ChartDeliveryMode.ARGO_CD.value]: ['namespace', 'project'],
        [ChartDeliveryMode.HELM_TEMPLATE.value]: ['helmExecutable', 'chartCacheDirectory'],
        [ChartDeliveryMode.FLUX.value]: [],
        [ChartDeliveryMode.GLOO_OPERATOR.value]: ['operatorChartVersion'],
      },
      {},
    ),
  );
  // Keys must stay out of git: neither private folder may overlap the certificate folder or dist/.
  problems.push(...pkiPathProblems(doc.pki));
  return problems;
}
