// The schema gate, against the committed artifacts in imports/schemas/ only (never ../shared).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { formatViolation, KUBERNETES_SCHEMA_FILE, SchemaRegistry, type SchemaViolation } from '../../lib/validation';
import { crdToAjvSchema } from '../../lib/validation/crd-schema';

const registry = SchemaRegistry.default();
const SCHEMAS_DIR = path.join(__dirname, '../../imports/schemas');
const GATEWAY_SCHEMA = 'CRD gateways.gateway.networking.k8s.io v1 (kubernetes-sigs/gateway-api v1.4.0)';
const DEPLOYMENT_SCHEMA = 'Kubernetes 1.30 apps/v1 Deployment';

/** Objects that cdk8s-plus-30 synthesizes for a typical SPIRE server workload. */
function synthSpireServer(): any[] {
  const chart = Testing.chart();
  const deployment = new kplus.Deployment(chart, 'spire-server', {
    metadata: { name: 'spire-server', namespace: 'spire-server', labels: { 'app.kubernetes.io/name': 'spire-server' } },
    replicas: 2,
    containers: [
      {
        name: 'spire-server',
        image: 'ghcr.io/spiffe/spire-server:1.10.0',
        portNumber: 8081,
        envVariables: { SPIRE_LOG_LEVEL: kplus.EnvValue.fromValue('info') },
      },
    ],
  });
  deployment.exposeViaService({ ports: [{ port: 8081 }] });
  new kplus.ConfigMap(chart, 'server-config', { metadata: { namespace: 'spire-server' }, data: { 'server.conf': 'server {}\n' } });
  return Testing.synth(chart);
}

function synthDeployment(): any {
  return structuredClone(synthSpireServer().find((o) => o.kind === 'Deployment'));
}

function gateway(spec: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'istio-eastwestgateway', namespace: 'istio-system', labels: { 'topology.istio.io/network': 'net1' } },
    spec: {
      gatewayClassName: 'istio-east-west',
      addresses: [{ type: 'IPAddress', value: '192.0.2.10' }],
      listeners: [
        { name: 'cross-network', port: 15008, protocol: 'HBONE', tls: { mode: 'Passthrough' } },
        { name: 'xds-tls', port: 15012, protocol: 'TLS', tls: { mode: 'Passthrough' } },
      ],
      ...spec,
    },
  };
}

function clusterSpiffeId(spec: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'spire.spiffe.io/v1alpha1',
    kind: 'ClusterSPIFFEID',
    metadata: { name: 'istio-workloads' },
    spec: {
      spiffeIDTemplate: 'spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}',
      podSelector: { matchLabels: { 'spiffe.io/spire-managed-identity': 'true' } },
      workloadSelectorTemplates: ['k8s:ns:{{ .PodMeta.Namespace }}'],
      ...spec,
    },
  };
}

function argoApplication(source: Record<string, unknown>): any {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'istiod', namespace: 'argocd' },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'istio-system' },
      source: { repoURL: 'https://istio-release.storage.googleapis.com/charts', chart: 'istiod', targetRevision: '1.27.0', ...source },
    },
  };
}

/** field -> message, for compact assertions. */
function byField(violations: SchemaViolation[]): Record<string, string> {
  return Object.fromEntries(violations.map((v) => [v.field, v.message]));
}

describe('built-in Kubernetes kinds', () => {
  test('everything cdk8s-plus-30 synthesizes passes', () => {
    const objects = synthSpireServer();
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service']);
    expect(registry.validateAll(objects).map(formatViolation)).toEqual([]);
  });

  test('a typo in a container field is reported with its path and schema', () => {
    const deployment = synthDeployment();
    const container = deployment.spec.template.spec.containers[0];
    container.imagePullPolicyy = container.imagePullPolicy;
    delete container.imagePullPolicy;

    expect(registry.validate(deployment)).toEqual([
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/spec/template/spec/containers/0/imagePullPolicyy',
        message: "unknown field 'imagePullPolicyy' (did you mean 'imagePullPolicy'?)",
        schema: DEPLOYMENT_SCHEMA,
      },
    ]);
  });

  test('a wrong type fails', () => {
    const deployment = synthDeployment();
    deployment.spec.replicas = 'three';
    deployment.spec.template.spec.containers[0].ports[0].containerPort = '8081';

    expect(byField(registry.validate(deployment))).toEqual({
      '/spec/replicas': 'must be integer (got "three")',
      '/spec/template/spec/containers/0/ports/0/containerPort': 'must be integer (got "8081")',
    });
  });

  test('a fraction where Kubernetes wants an integer fails (int32 and int64 fields)', () => {
    const deployment = synthDeployment();
    deployment.spec.replicas = 1.5;
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 8080.5;
    deployment.spec.template.spec.terminationGracePeriodSeconds = 2.5;

    expect(registry.validate(deployment)).toEqual([
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/spec/replicas',
        message: 'must be integer (got 1.5)',
        schema: DEPLOYMENT_SCHEMA,
      },
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/spec/template/spec/containers/0/ports/0/containerPort',
        message: 'must be integer (got 8080.5)',
        schema: DEPLOYMENT_SCHEMA,
      },
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/spec/template/spec/terminationGracePeriodSeconds',
        message: 'must be integer (got 2.5)',
        schema: DEPLOYMENT_SCHEMA,
      },
    ]);
  });

  test('status is checked against the upstream status schema; what cdk8s-plus-30 synthesizes has none', () => {
    expect(synthSpireServer().filter((o) => 'status' in o)).toEqual([]);
    const deployment = synthDeployment();
    deployment.status = { replicas: 2, readyReplicas: 2, conditions: [{ type: 'Progressing', status: 'True' }] };
    expect(registry.validate(deployment)).toEqual([]);
    deployment.status.ready = 2;
    expect(byField(registry.validate(deployment))).toEqual({ '/status/ready': "unknown field 'ready'" });
  });

  test('a missing required field fails', () => {
    const deployment = synthDeployment();
    delete deployment.spec.selector;
    delete deployment.spec.template.spec.containers[0].name;

    const violations = registry.validate(deployment);
    expect(byField(violations)).toEqual({
      '/spec/selector': "missing required field 'selector'",
      '/spec/template/spec/containers/0/name': "missing required field 'name'",
    });
    expect(violations.every((v) => v.schema === DEPLOYMENT_SCHEMA)).toBe(true);
  });

  test('IntOrString accepts integers and strings, nothing else', () => {
    const deployment = synthDeployment();
    deployment.spec.strategy.rollingUpdate = { maxSurge: 1, maxUnavailable: '25%' };
    expect(registry.validate(deployment)).toEqual([]);

    deployment.spec.strategy.rollingUpdate.maxSurge = true;
    deployment.spec.strategy.rollingUpdate.maxUnavailable = 1.5;
    expect(byField(registry.validate(deployment))).toEqual({
      '/spec/strategy/rollingUpdate/maxSurge': 'must be integer or string (got true)',
      '/spec/strategy/rollingUpdate/maxUnavailable': 'must be integer or string (got 1.5)',
    });
  });

  test('a Namespace with labels and annotations passes; label values must be strings', () => {
    const namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'istio-system',
        labels: { 'istio.io/dataplane-mode': 'ambient', 'topology.istio.io/network': 'net1' },
        annotations: { a: 'b' },
      },
    };
    expect(registry.validate(namespace)).toEqual([]);

    const bad = { ...namespace, metadata: { ...namespace.metadata, labels: { 'istio-injection': true } } };
    expect(registry.validate(bad)).toEqual([
      {
        object: 'v1 Namespace istio-system',
        field: '/metadata/labels/istio-injection',
        message: 'must be string (got true)',
        schema: 'Kubernetes 1.30 v1 Namespace',
      },
    ]);
  });

  test('ConfigMap data is a string map; Quantity is a string or a number; Time is RFC 3339', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'trust-bundle', namespace: 'spire-system' },
      data: { 'bundle.crt': 'x' },
    };
    expect(registry.validate(configMap)).toEqual([]);
    expect(byField(registry.validate({ ...configMap, data: { port: 8081 } }))).toEqual({ '/data/port': 'must be string (got 8081)' });

    const deployment = synthDeployment();
    deployment.spec.template.spec.containers[0].resources.limits.cpu = true;
    deployment.metadata.creationTimestamp = 'yesterday';
    expect(byField(registry.validate(deployment))).toEqual({
      '/spec/template/spec/containers/0/resources/limits/cpu': 'must be string or number (got true)',
      '/metadata/creationTimestamp': 'must be a valid date-time (got "yesterday")',
    });
  });

  test('RawExtension fields are open', () => {
    const revision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'r1', namespace: 'x' },
      revision: 1,
      data: { anything: { goes: [1] } },
    };
    expect(registry.validate(revision)).toEqual([]);
  });

  test('apiVersion and kind are checked by the registry, not guessed', () => {
    expect(registry.validate({ kind: 'ConfigMap', metadata: { name: 'x' } })).toEqual([
      { object: '(no apiVersion) ConfigMap x', field: '/apiVersion', message: "missing required field 'apiVersion'", schema: 'none' },
    ]);
  });
});

describe('custom resources', () => {
  test('the east-west Gateway (HBONE + TLS passthrough, static IP) passes', () => {
    expect(registry.validate(gateway())).toEqual([]);
  });

  test('an unknown Gateway spec field fails', () => {
    expect(registry.validate(gateway({ listenerz: [] }))).toEqual([
      {
        object: 'gateway.networking.k8s.io/v1 Gateway istio-system/istio-eastwestgateway',
        field: '/spec/listenerz',
        message: "unknown field 'listenerz' (did you mean 'listeners'?)",
        schema: GATEWAY_SCHEMA,
      },
    ]);
  });

  test('CR metadata is checked strictly against ObjectMeta', () => {
    const gw = gateway();
    gw.metadata.label = { a: 'b' };
    gw.metadata.annotations = { 'a/b': 1 };
    expect(byField(registry.validate(gw))).toEqual({
      '/metadata/label': "unknown field 'label' (did you mean 'labels'?)",
      '/metadata/annotations/a~1b': 'must be string (got 1)',
    });
  });

  test('CRD types, ranges, enums and formats are enforced with precise messages', () => {
    const gw = gateway({
      listeners: [
        { name: 'cross-network', port: '15008', protocol: 'HBONE', tls: { mode: 'Passthrough' } },
        { name: 'xds-tls', port: 70000, protocol: 'TLS', tls: { mode: 'PassThrough' } },
      ],
    });
    expect(byField(registry.validate(gw))).toEqual({
      '/spec/listeners/0/port': 'must be integer (got "15008")',
      '/spec/listeners/1/port': 'must be <= 65535 (got 70000)',
      '/spec/listeners/1/tls/mode': "must be one of 'Terminate', 'Passthrough' (got \"PassThrough\")",
    });
  });

  test('a failed oneOf/anyOf collapses into the one useful message', () => {
    const gw = gateway({ addresses: [{ type: 'IPAddress', value: 'eastwest.example.com' }] });
    expect(registry.validate(gw).map((v) => [v.field, v.message])).toEqual([
      ['/spec/addresses/0/value', 'must be a valid ipv4 or a valid ipv6 (got "eastwest.example.com")'],
    ]);
  });

  test('x-kubernetes-list-type=map rejects duplicate keys', () => {
    const gw = gateway();
    gw.spec.listeners.push({ name: 'xds-tls', port: 15017, protocol: 'TLS', tls: { mode: 'Passthrough' } });
    expect(byField(registry.validate(gw))).toEqual({
      '/spec/listeners/2': 'duplicate list entry: name="xds-tls" is already used by item 1',
    });
  });

  test('ClusterSPIFFEID: valid, and with an unknown field', () => {
    expect(registry.validate(clusterSpiffeId())).toEqual([]);
    expect(registry.validate(clusterSpiffeId({ federatesWithh: ['example.org'] }))).toEqual([
      {
        object: 'spire.spiffe.io/v1alpha1 ClusterSPIFFEID istio-workloads',
        field: '/spec/federatesWithh',
        message: "unknown field 'federatesWithh' (did you mean 'federatesWith'?)",
        schema: 'CRD clusterspiffeids.spire.spiffe.io v1alpha1 (spiffe/spire-controller-manager v0.6.0)',
      },
    ]);
  });

  test('Argo CD Application: arbitrary helm.valuesObject passes (x-kubernetes-preserve-unknown-fields)', () => {
    const app = argoApplication({
      helm: {
        valuesObject: {
          meshConfig: { trustDomain: 'cluster.local', defaultConfig: { proxyMetadata: { A: '1' } } },
          pilot: { env: [{ name: 'X', value: 1 }] },
          weird: null,
        },
      },
    });
    expect(registry.validate(app)).toEqual([]);
    // ...but the fields around it are still closed.
    app.spec.source.helm.valuesObjekt = {};
    expect(byField(registry.validate(app))).toEqual({
      '/spec/source/helm/valuesObjekt': "unknown field 'valuesObjekt' (did you mean 'valuesObject'?)",
    });
  });

  test('x-kubernetes-int-or-string accepts integers and strings only', () => {
    expect(
      registry.validate(
        argoApplication({
          kustomize: {
            replicas: [
              { name: 'istiod', count: 2 },
              { name: 'cni', count: '3' },
            ],
          },
        }),
      ),
    ).toEqual([]);
    expect(byField(registry.validate(argoApplication({ kustomize: { replicas: [{ name: 'istiod', count: 1.5 }] } })))).toEqual({
      '/spec/source/kustomize/replicas/0/count': 'must be integer or string (got 1.5)',
    });
  });

  test("status is checked against the CRD's own status schema", () => {
    const id = clusterSpiffeId();
    id.status = { stats: { namespacesSelected: 3, podsSelected: 12, entriesToSet: 12, entryFailures: 0 } };
    expect(registry.validate(id)).toEqual([]);
    id.status.stats.podsSelected = 1.5;
    id.status.stats.entriesMaskd = 0;
    id.status.ready = true;
    expect(byField(registry.validate(id))).toEqual({
      '/status/ready': "unknown field 'ready'",
      '/status/stats/entriesMaskd': "unknown field 'entriesMaskd' (did you mean 'entriesMasked'?)",
      '/status/stats/podsSelected': 'must be integer (got 1.5)',
    });
  });

  test('int32 format is range-checked', () => {
    const certificate = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'istio-ca', namespace: 'istio-system' },
      spec: { secretName: 'cacerts', issuerRef: { name: 'spire', kind: 'Issuer' }, revisionHistoryLimit: 3000000000 },
    };
    expect(byField(registry.validate(certificate))).toEqual({ '/spec/revisionHistoryLimit': 'must be a valid int32 (got 3000000000)' });
  });
});

describe('unknown kinds', () => {
  test('yield one violation saying how to add the schema', () => {
    const violations = registry.validate({
      apiVersion: 'networking.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
    });
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({
      object: 'networking.istio.io/v1 PeerAuthentication istio-system/default',
      field: '',
      schema: 'none',
    });
    expect(violations[0].message).toContain('no schema is known for networking.istio.io/v1 PeerAuthentication');
    expect(violations[0].message).toContain('add its CRD to cdk8s.yaml imports and run `npm run import`');
  });

  test('name the versions that are known', () => {
    const [violation] = registry.validate({ ...gateway(), apiVersion: 'gateway.networking.k8s.io/v1alpha2' });
    expect(violation.message).toContain('known for gateway.networking.k8s.io/v1, gateway.networking.k8s.io/v1beta1');
  });

  test('has() answers for built-ins and imported CRDs', () => {
    expect(registry.has('apps/v1', 'Deployment')).toBe(true);
    expect(registry.has('v1', 'ConfigMap')).toBe(true);
    expect(registry.has('autoscaling/v2', 'HorizontalPodAutoscaler')).toBe(true);
    expect(registry.has('gateway.networking.k8s.io/v1', 'Gateway')).toBe(true);
    expect(registry.has('spire.spiffe.io/v1alpha1', 'ClusterSPIFFEID')).toBe(true);
    expect(registry.has('gateway.networking.k8s.io/v1', 'HTTPRoute')).toBe(false);
    expect(registry.has('apps/v1beta1', 'Deployment')).toBe(false);
  });
});

describe('CRD schema conversion (synthetic CRD beside the committed Kubernetes schema)', () => {
  let dir: string;
  let widgets: SchemaRegistry;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-registry-test-'));
    fs.mkdirSync(path.join(dir, 'crds'));
    fs.copyFileSync(path.join(SCHEMAS_DIR, KUBERNETES_SCHEMA_FILE), path.join(dir, KUBERNETES_SCHEMA_FILE));
    const openAPIV3Schema = {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          required: ['size'],
          properties: {
            size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^\\d+(Mi|Gi)$' },
            owner: { type: 'string', nullable: true },
            colour: { type: 'string', format: 'made-up-format' },
            interval: { type: 'string', format: 'duration' },
            certificate: { type: 'string', format: 'byte' },
            weight: { type: 'number', minimum: 0, exclusiveMinimum: true },
            description: { type: 'string' }, // a field *named* description must survive stripping
            extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'integer' } } },
            template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
            exclusive: {
              type: 'object',
              properties: { a: { type: 'string' }, b: { type: 'string' } },
              oneOf: [{ required: ['a'] }, { required: ['b'] }],
              'x-kubernetes-validations': [{ rule: 'true' }],
            },
          },
        },
      },
    };
    const header = {
      group: 'example.com',
      version: 'v1',
      kind: 'Widget',
      plural: 'widgets',
      scope: 'Namespaced',
      source: { file: 'widgets.yaml' },
    };
    fs.writeFileSync(path.join(dir, 'crds', 'example.com_v1_Widget.json'), JSON.stringify({ header, openAPIV3Schema }));
    widgets = SchemaRegistry.fromDirectory(dir);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const widget = (spec: Record<string, unknown>) => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'ns' },
    spec: { size: 3, ...spec },
  });

  test('a valid widget passes, and the schema is named after its source file', () => {
    const ok = widget({
      size: '10Gi',
      owner: null,
      colour: 'anything: unknown formats are accepted, never a crash',
      interval: '1h30m',
      certificate: 'aGVsbG8=',
      weight: 0.5,
      description: 'kept',
      extra: { known: 1, unknown: { deep: true } },
      template: { apiVersion: 'v1', kind: 'Pod', whatever: 1 },
      exclusive: { a: 'x' },
    });
    expect(widgets.validate(ok)).toEqual([]);
    expect(widgets.kinds().find((k) => k.kind === 'Widget')?.schema).toBe('CRD widgets.example.com v1 (widgets.yaml)');
  });

  test('each conversion rule bites', () => {
    const bad = widget({
      size: '10 gigs',
      owner: 5,
      interval: 'PT1H',
      certificate: 'not base64!',
      weight: 0,
      extra: { known: 'one' },
      exclusive: { a: 'x', b: 'y' },
    });
    expect(byField(widgets.validate(bad))).toEqual({
      '/spec/size': 'must match the pattern ^\\d+(Mi|Gi)$ (got "10 gigs")',
      '/spec/owner': 'must be string or null (got 5)',
      '/spec/interval': 'must be a valid duration (got "PT1H")',
      '/spec/certificate': 'must be a valid byte (got "not base64!")',
      '/spec/weight': 'must be > 0 (got 0)',
      '/spec/extra/known': 'must be integer (got "one")',
      '/spec/exclusive': 'matches several mutually exclusive alternatives (#0, #1)',
    });
    expect(byField(widgets.validate(widget({ size: undefined })))).toEqual({ '/spec/size': "missing required field 'size'" });
  });
});

describe('committed artifacts', () => {
  test('CRD schemas keep the integer types and x-kubernetes-int-or-string of the CRD files, and the gate enforces both', () => {
    const found = { integer: 0, intOrString: 0 };
    const problems: string[] = [];
    // Walks the committed schema and its conversion for ajv side by side.
    const walk = (schema: any, converted: any, where: string): void => {
      if (!schema || typeof schema !== 'object' || typeof converted !== 'object') return;
      // `nullable: true` admits null as well (the Istio CRDs mark optional integers so).
      const orNull = (types: string[]) =>
        JSON.stringify(schema.nullable === true ? [...types, 'null'] : types.length === 1 ? types[0] : types);
      if (schema['x-kubernetes-int-or-string'] === true) {
        found.intOrString++;
        if (JSON.stringify(converted.type) !== orNull(['integer', 'string'])) problems.push(`${where}: ${JSON.stringify(converted.type)}`);
      } else if (schema.type === 'integer') {
        found.integer++;
        if (JSON.stringify(converted.type) !== orNull(['integer'])) problems.push(`${where}: ${JSON.stringify(converted.type)}`);
      }
      for (const [name, sub] of Object.entries(schema.properties ?? {})) walk(sub, converted.properties?.[name], `${where}/${name}`);
      if (schema.items) walk(schema.items, converted.items, `${where}/items`);
      for (const k of ['allOf', 'anyOf', 'oneOf']) {
        if (Array.isArray(converted[k])) schema[k].forEach((sub: unknown, i: number) => walk(sub, converted[k][i], `${where}/${k}/${i}`));
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        walk(schema.additionalProperties, converted.additionalProperties, `${where}/*`);
      }
    };
    for (const f of fs.readdirSync(path.join(SCHEMAS_DIR, 'crds'))) {
      const { openAPIV3Schema } = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'crds', f), 'utf8'));
      walk(openAPIV3Schema, crdToAjvSchema(openAPIV3Schema), f);
    }
    expect(problems).toEqual([]);
    expect(found.integer).toBeGreaterThanOrEqual(60);
    expect(found.intOrString).toBeGreaterThanOrEqual(15);
  });

  test('carry no upstream prose (descriptions, examples, CEL messages)', () => {
    const offenders: string[] = [];
    const walk = (schema: any, where: string): void => {
      if (!schema || typeof schema !== 'object') return;
      for (const prose of ['description', 'example', 'x-kubernetes-validations'])
        if (prose in schema) offenders.push(`${where} (${prose})`);
      for (const [k, v] of Object.entries(schema)) {
        if (k === 'properties' || k === 'definitions' || k === 'patternProperties') {
          for (const [name, sub] of Object.entries(v as object)) walk(sub, `${where}/${k}/${name}`);
        } else if (['items', 'additionalProperties', 'not'].includes(k)) walk(v, `${where}/${k}`);
        else if (['allOf', 'anyOf', 'oneOf'].includes(k)) (v as unknown[]).forEach((sub, i) => walk(sub, `${where}/${k}/${i}`));
      }
    };
    const crdFiles = fs.readdirSync(path.join(SCHEMAS_DIR, 'crds'));
    expect(crdFiles.length).toBeGreaterThanOrEqual(11);
    for (const f of crdFiles) walk(JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'crds', f), 'utf8')).openAPIV3Schema, f);
    walk(JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, KUBERNETES_SCHEMA_FILE), 'utf8')), KUBERNETES_SCHEMA_FILE);
    expect(offenders).toEqual([]);
  });

  // Speed is measured by the benchmark (npm run bench), never asserted in a unit test.
  test('many objects of a few kinds validate with one compiled validator per kind', () => {
    const deployment = synthDeployment();
    const objects = Array.from({ length: 200 }, (_, i) => [
      { ...deployment, metadata: { ...deployment.metadata, name: `d${i}` } },
      gateway(),
      clusterSpiffeId(),
    ]).flat();
    expect(registry.validateAll(objects)).toEqual([]);
  });
});

describe('null fields (read by the API server as absent)', () => {
  const SHARED_CRDS = path.join(__dirname, '../../../shared/crds');

  test('every upstream CRD file in ../shared/crds passes as it is, Gateway API status nulls included', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parseAllDocuments } = require('yaml') as typeof import('yaml');
    const files = fs
      .readdirSync(SHARED_CRDS, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    const crds = files.flatMap((f) =>
      parseAllDocuments(fs.readFileSync(path.join(SHARED_CRDS, f), 'utf8'))
        .map((d) => d.toJSON())
        .filter((o) => o?.kind === 'CustomResourceDefinition'),
    );
    expect(crds.length).toBeGreaterThanOrEqual(20);
    expect(crds.some((c) => c.status?.conditions === null && c.status?.storedVersions === null)).toBe(true);
    expect(registry.validateAll(crds)).toEqual([]);
  });

  test('a null optional field passes; a null required field and a null of the wrong place are still refused', () => {
    expect(
      registry.validate(gateway({ gatewayClassName: 'istio', listeners: [{ name: 'tls', port: 15443, protocol: 'TLS', hostname: null }] })),
    ).toEqual([]);
    const nullSpec = { ...gateway(), spec: null };
    expect(registry.validate(nullSpec).map((v) => v.field)).toEqual(expect.arrayContaining(['/spec']));
    const nullReplicasInArray = synthDeployment();
    nullReplicasInArray.spec.template.spec.containers = [null];
    expect(registry.validate(nullReplicasInArray).length).toBeGreaterThan(0);
  });
});
