// The Kubernetes 1.30 part of the committed schemas (imports/schemas/kubernetes-1.30.json), which
// scripts/import-schemas.ts generates from the L1 types of cdk8s-plus-30 (lib/imports/k8s.d.ts),
// with integer types and `status` from the Kubernetes v1.30.1 OpenAPI models of @kubernetes/client-node.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { k8s } from 'cdk8s-plus-30';
import { KUBERNETES_SCHEMA_FILE, SchemaRegistry, type SchemaViolation } from '../../lib/validation';

const registry = SchemaRegistry.default();
const artifact = JSON.parse(fs.readFileSync(path.join(__dirname, '../../imports/schemas', KUBERNETES_SCHEMA_FILE), 'utf8')) as {
  kinds: Record<string, Record<string, string>>;
  definitions: Record<string, any>;
};
const L1_DECLARATIONS = path.join(path.dirname(require.resolve('cdk8s-plus-30/package.json')), 'lib/imports/k8s.d.ts');
const OPENAPI_MODELS_DIR = path.join(path.dirname(require.resolve('@kubernetes/client-node/package.json')), 'dist/gen/models');

/** field -> message, for compact assertions. */
function byField(violations: SchemaViolation[]): Record<string, string> {
  return Object.fromEntries(violations.map((v) => [v.field, v.message]));
}

const labels = { 'app.kubernetes.io/name': 'spire-controller-manager' };

function webhookConfiguration(rule: Record<string, unknown>): any {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'spire-server-spire-controller-manager-webhook', labels },
    webhooks: [
      {
        name: 'vclusterspiffeid.kb.io',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Fail',
        matchPolicy: 'Equivalent',
        timeoutSeconds: 10,
        clientConfig: {
          service: {
            name: 'spire-controller-manager-webhook',
            namespace: 'spire-server',
            path: '/validate-spire-spiffe-io-v1alpha1-clusterspiffeid',
            port: 443,
          },
        },
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] },
        rules: [rule],
      },
    ],
  };
}

function deployment(container: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'spire-server', namespace: 'spire-server', labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          hostPID: false,
          shareProcessNamespace: true,
          containers: [
            {
              name: 'spire-server',
              image: 'ghcr.io/spiffe/spire-server:1.10.0',
              ports: [{ name: 'grpc', containerPort: 8081, hostIP: '0.0.0.0' }],
              ...container,
            },
          ],
        },
      },
    },
  };
}

describe('Kubernetes 1.30 schemas from the cdk8s-plus-30 L1 types', () => {
  test('a ValidatingWebhookConfiguration with complete rules passes (RuleWithOperations.resources and .scope)', () => {
    const rule = {
      apiGroups: ['spire.spiffe.io'],
      apiVersions: ['v1alpha1'],
      operations: ['CREATE', 'UPDATE'],
      resources: ['clusterspiffeids'],
      scope: 'Cluster',
    };
    expect(registry.validate(webhookConfiguration(rule))).toEqual([]);
    expect(registry.validate(webhookConfiguration({ ...rule, resources: ['*/*'], scope: '*' }))).toEqual([]);

    expect(registry.validate(webhookConfiguration({ ...rule, resource: ['clusterspiffeids'] }))).toEqual([
      {
        object: 'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration spire-server-spire-controller-manager-webhook',
        field: '/webhooks/0/rules/0/resource',
        message: "unknown field 'resource' (did you mean 'resources'?)",
        schema: 'Kubernetes 1.30 admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration',
      },
    ]);
    // The test/spire helpers patch these two fields in while they are missing; they are not any more.
    for (const definition of ['admissionregistration.v1.RuleWithOperations', 'admissionregistration.v1.NamedRuleWithOperations']) {
      expect(Object.keys(artifact.definitions[definition].properties)).toEqual(expect.arrayContaining(['resources', 'scope']));
    }
  });

  test('ValidatingAdmissionPolicy match rules (NamedRuleWithOperations) pass', () => {
    const policy = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'replicas' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['apps'],
              apiVersions: ['v1'],
              operations: ['CREATE'],
              resources: ['deployments'],
              resourceNames: ['x'],
              scope: 'Namespaced',
            },
          ],
        },
        validations: [{ expression: 'object.spec.replicas <= 5' }],
      },
    };
    expect(registry.validate(policy)).toEqual([]);
  });

  test('RBAC: ClusterRole, Role and their bindings pass with resources and verbs', () => {
    const rules = [
      { apiGroups: [''], resources: ['pods', 'nodes', 'nodes/proxy'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['spire.spiffe.io'], resources: ['clusterspiffeids/status'], resourceNames: ['a'], verbs: ['get', 'patch', 'update'] },
      { nonResourceURLs: ['/healthz'], verbs: ['get'] },
    ];
    const subjects = [{ kind: 'ServiceAccount', name: 'spire-server', namespace: 'spire-server' }];
    const objects = [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'spire-server' }, rules },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'spire-server', namespace: 'spire-server' }, rules },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'spire-server' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'spire-server' },
        subjects,
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'spire-server', namespace: 'spire-server' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'spire-server' },
        subjects,
      },
    ];
    expect(registry.validateAll(objects)).toEqual([]);

    const missingVerbs = { ...objects[0], rules: [{ apiGroups: [''], resources: ['pods'] }] };
    expect(byField(registry.validate(missingVerbs))).toEqual({ '/rules/0/verbs': "missing required field 'verbs'" });
  });

  test('Quantity takes a number or a string', () => {
    const resources = { limits: { cpu: 2, memory: '512Mi' }, requests: { cpu: '500m', memory: 268435456, 'ephemeral-storage': 0.5 } };
    expect(registry.validate(deployment({ resources }))).toEqual([]);
    expect(byField(registry.validate(deployment({ resources: { limits: { cpu: [2] } } })))).toEqual({
      '/spec/template/spec/containers/0/resources/limits/cpu': 'must be string or number (got an array)',
    });
  });

  test('a typo in a Deployment still fails, naming the field', () => {
    const d = deployment({ imagePullPolicyy: 'IfNotPresent' });
    d.spec.replica = 2;
    expect(registry.validate(d)).toEqual([
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/spec/replica',
        message: "unknown field 'replica' (did you mean 'replicas'?)",
        schema: 'Kubernetes 1.30 apps/v1 Deployment',
      },
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/spec/template/spec/containers/0/imagePullPolicyy',
        message: "unknown field 'imagePullPolicyy' (did you mean 'imagePullPolicy'?)",
        schema: 'Kubernetes 1.30 apps/v1 Deployment',
      },
    ]);
  });

  test('fields keep their JSON names, not the renamed TypeScript ones (hostPID, not hostPid)', () => {
    expect(registry.validate(deployment())).toEqual([]);
    const d = deployment();
    d.spec.template.spec.hostPid = false;
    expect(byField(registry.validate(d))).toEqual({ '/spec/template/spec/hostPid': "unknown field 'hostPid' (did you mean 'hostPID'?)" });

    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'n' },
      spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 1 }] },
    };
    expect(registry.validate(service)).toEqual([]);
  });

  test('IntOrString: targetPort takes a port name or a number; port, an integer, takes neither a name nor a fraction', () => {
    const service = (targetPort: unknown, port: unknown = 443) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'spire-server', namespace: 'spire-server' },
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'grpc', port, targetPort, protocol: 'TCP', appProtocol: 'grpc' }] },
    });
    expect(registry.validate(service('grpc'))).toEqual([]);
    expect(registry.validate(service('http'))).toEqual([]);
    expect(registry.validate(service(8081))).toEqual([]);
    expect(registry.validate(service(8080))).toEqual([]);
    expect(byField(registry.validate(service(80.5)))).toEqual({ '/spec/ports/0/targetPort': 'must be integer or string (got 80.5)' });
    expect(byField(registry.validate(service('http', 'https')))).toEqual({ '/spec/ports/0/port': 'must be integer (got "https")' });
    expect(byField(registry.validate(service('http', 443.5)))).toEqual({ '/spec/ports/0/port': 'must be integer (got 443.5)' });
  });

  test('integers: replicas: 1.5 and containerPort: 8080.5 are refused, naming the field', () => {
    const d = deployment({ ports: [{ name: 'grpc', containerPort: 8080.5 }] });
    d.spec.replicas = 1.5;
    expect(registry.validate(d)).toEqual([
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/spec/replicas',
        message: 'must be integer (got 1.5)',
        schema: 'Kubernetes 1.30 apps/v1 Deployment',
      },
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/spec/template/spec/containers/0/ports/0/containerPort',
        message: 'must be integer (got 8080.5)',
        schema: 'Kubernetes 1.30 apps/v1 Deployment',
      },
    ]);
    // Whole numbers pass, however they are written; int64 fields and integer lists are typed too.
    const ok = deployment({ ports: [{ name: 'grpc', containerPort: 8081.0 }] });
    ok.spec.template.spec.terminationGracePeriodSeconds = 30; // int64
    ok.spec.template.spec.securityContext = { runAsUser: 1000, supplementalGroups: [1000, 2000] }; // int64, []int64
    expect(registry.validate(ok)).toEqual([]);
    ok.spec.template.spec.securityContext.supplementalGroups = [1000, 2000.5];
    ok.spec.template.spec.terminationGracePeriodSeconds = 0.5;
    expect(byField(registry.validate(ok))).toEqual({
      '/spec/template/spec/securityContext/supplementalGroups/1': 'must be integer (got 2000.5)',
      '/spec/template/spec/terminationGracePeriodSeconds': 'must be integer (got 0.5)',
    });
  });

  test('doubles stay numbers: CRD schema bounds (JSONSchemaProps minimum/maximum/multipleOf)', () => {
    const crd = customResourceDefinition({
      type: 'object',
      properties: { weight: { type: 'number', minimum: 0.5, maximum: 99.5, multipleOf: 0.25 } },
    });
    expect(registry.validate(crd)).toEqual([]);
    for (const field of ['minimum', 'maximum', 'multipleOf']) {
      expect(artifact.definitions['apiextensions.v1.JSONSchemaProps'].properties[field]).toEqual({ type: 'number' });
    }
    expect(artifact.definitions['apiextensions.v1.JSONSchemaProps'].properties.maxLength).toEqual({ type: 'integer' });
  });

  test('CSIDriver, Namespace, ServiceAccount, DaemonSet and StatefulSet pass', () => {
    const podSpec = {
      serviceAccountName: 'spire-agent',
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      containers: [
        {
          name: 'spire-agent',
          image: 'ghcr.io/spiffe/spire-agent:1.10.0',
          securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          livenessProbe: { httpGet: { path: '/live', port: 'healthz' }, initialDelaySeconds: 15 },
          readinessProbe: { tcpSocket: { port: 9982 } },
          volumeMounts: [{ name: 'spire-agent-socket-dir', mountPath: '/tmp/spire-agent/public', mountPropagation: 'HostToContainer' }],
        },
      ],
      volumes: [
        { name: 'spire-agent-socket-dir', hostPath: { path: '/run/spire/agent-sockets', type: 'DirectoryOrCreate' } },
        {
          name: 'token',
          projected: { sources: [{ serviceAccountToken: { audience: 'spire-server', expirationSeconds: 7200, path: 'token' } }] },
        },
        { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      ],
    };
    const objects = [
      {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'CSIDriver',
        metadata: { name: 'csi.spiffe.io' },
        spec: { attachRequired: false, podInfoOnMount: true, fsGroupPolicy: 'None', volumeLifecycleModes: ['Ephemeral'] },
      },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'spire-server', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'spire-agent', namespace: 'spire-system' },
        automountServiceAccountToken: false,
        imagePullSecrets: [{ name: 'regcred' }],
      },
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'spire-agent', namespace: 'spire-system' },
        spec: {
          selector: { matchLabels: labels },
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
          template: { metadata: { labels }, spec: podSpec },
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'spire-server', namespace: 'spire-server' },
        spec: {
          serviceName: 'spire-server',
          selector: { matchLabels: labels },
          podManagementPolicy: 'Parallel',
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          template: { metadata: { labels }, spec: { ...podSpec, hostNetwork: false } },
          volumeClaimTemplates: [
            { metadata: { name: 'spire-data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
          ],
        },
      },
    ];
    expect(registry.validateAll(objects)).toEqual([]);
  });

  test('CustomResourceDefinition schemas keep $ref and x-kubernetes-* field names', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    'x-kubernetes-preserve-unknown-fields': true,
                    default: {},
                    'x-kubernetes-validations': [{ rule: 'true' }],
                  },
                  size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                  tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', enum: [['a'], 'b', 1] },
                },
                additionalProperties: false,
              },
            },
          },
        ],
      },
    };
    expect(registry.validate(crd)).toEqual([]);
    const bad = structuredClone(crd);
    (bad.spec.versions[0].schema.openAPIV3Schema.properties.spec as any).xKubernetesPreserveUnknownFields = true;
    expect(byField(registry.validate(bad))).toEqual({
      '/spec/versions/0/schema/openAPIV3Schema/properties/spec/xKubernetesPreserveUnknownFields':
        "unknown field 'xKubernetesPreserveUnknownFields' (did you mean 'x-kubernetes-preserve-unknown-fields'?)",
    });
  });

  test('a Deployment status that matches the upstream schema passes; an unknown or mistyped status field fails', () => {
    const d = deployment();
    d.status = {
      observedGeneration: 3,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
          lastTransitionTime: '2026-12-01T00:00:00Z',
          lastUpdateTime: '2026-12-01T00:00:00Z',
        },
      ],
    };
    expect(registry.validate(d)).toEqual([]);
    expect(registry.validate({ ...deployment(), status: {} })).toEqual([]);

    d.status.readyReplica = 1;
    d.status.replicas = 1.5;
    delete d.status.conditions[0].status;
    expect(registry.validate(d)).toEqual([
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/status/readyReplica',
        message: "unknown field 'readyReplica' (did you mean 'readyReplicas'?)",
        schema: 'Kubernetes 1.30 apps/v1 Deployment',
      },
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/status/conditions/0/status',
        message: "missing required field 'status'",
        schema: 'Kubernetes 1.30 apps/v1 Deployment',
      },
      {
        object: 'apps/v1 Deployment spire-server/spire-server',
        field: '/status/replicas',
        message: 'must be integer (got 1.5)',
        schema: 'Kubernetes 1.30 apps/v1 Deployment',
      },
    ]);
    expect(byField(registry.validate({ ...deployment(), status: 'Running' }))).toEqual({ '/status': 'must be object (got "Running")' });
  });

  test('a rendered CustomResourceDefinition with the status controller-gen writes passes; an unknown status field fails', () => {
    const crd = customResourceDefinition({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    crd.status = { acceptedNames: { kind: '', plural: '' }, conditions: [], storedVersions: [] };
    expect(registry.validate(crd)).toEqual([]);
    crd.status = {
      acceptedNames: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' },
      conditions: [{ type: 'Established', status: 'True', lastTransitionTime: '2026-12-01T00:00:00Z', reason: 'InitialNamesAccepted' }],
      storedVersions: ['v1'],
    };
    expect(registry.validate(crd)).toEqual([]);

    crd.status.acceptedNames.plurals = ['widgets'];
    crd.status.observedGeneration = 1;
    expect(registry.validate(crd)).toEqual([
      {
        object: 'apiextensions.k8s.io/v1 CustomResourceDefinition widgets.example.com',
        field: '/status/observedGeneration',
        message: "unknown field 'observedGeneration'",
        schema: 'Kubernetes 1.30 apiextensions.k8s.io/v1 CustomResourceDefinition',
      },
      {
        object: 'apiextensions.k8s.io/v1 CustomResourceDefinition widgets.example.com',
        field: '/status/acceptedNames/plurals',
        message: "unknown field 'plurals' (did you mean 'plural'?)",
        schema: 'Kubernetes 1.30 apiextensions.k8s.io/v1 CustomResourceDefinition',
      },
    ]);
  });

  test('status types: Quantity maps take numbers, times are RFC 3339, condition types are required', () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'worker-1' },
      status: {
        capacity: { cpu: 4, memory: '16Gi', pods: '110' },
        allocatable: { cpu: '3900m' },
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-12-01T00:00:00Z' }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: 'amd64',
          bootID: 'b',
          containerRuntimeVersion: 'containerd://1.7.0',
          kernelVersion: '6.1',
          kubeProxyVersion: 'v1.30.1',
          kubeletVersion: 'v1.30.1',
          machineID: 'm',
          operatingSystem: 'linux',
          osImage: 'Debian',
          systemUUID: 'u',
        },
      },
    };
    expect(registry.validate(node)).toEqual([]);
    const bad = structuredClone(node) as any;
    bad.status.capacity.cpu = true;
    bad.status.conditions[0].lastHeartbeatTime = 'now';
    delete bad.status.conditions[0].type;
    bad.status.daemonEndpoints.kubeletEndpoint.Port = '10250';
    expect(byField(registry.validate(bad))).toEqual({
      '/status/capacity/cpu': 'must be string or number (got true)',
      '/status/conditions/0/lastHeartbeatTime': 'must be a valid date-time (got "now")',
      '/status/conditions/0/type': "missing required field 'type'",
      '/status/daemonEndpoints/kubeletEndpoint/Port': 'must be integer (got "10250")',
    });
  });
});

function customResourceDefinition(openAPIV3Schema: Record<string, unknown>): any {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema }, subresources: { status: {} } }],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Systematic: the schema has every property of the L1 types, under its JSON name
// ---------------------------------------------------------------------------------------------

interface L1 {
  readonly interfaces: Map<string, ts.InterfaceDeclaration>;
  readonly classes: string[];
}

function readL1(): L1 {
  const source = ts.createSourceFile(L1_DECLARATIONS, fs.readFileSync(L1_DECLARATIONS, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const classes: string[] = [];
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement);
    if (ts.isClassDeclaration(statement) && statement.name && /^Kube[A-Z]/.test(statement.name.text)) classes.push(statement.name.text);
  }
  return { interfaces, classes };
}

/** The JSON name of a property: the field of its `@schema <definition>#<field>` tag. */
function jsonName(member: ts.PropertySignature): string {
  const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'schema');
  const text = tag ? (ts.getTextOfJSDocComment(tag.comment) ?? '') : '';
  const field = text.split('#')[1];
  if (!field) throw new Error(`no @schema tag on ${member.getText()}`);
  return field.trim();
}

function resolve(schema: any): any {
  while (schema && typeof schema.$ref === 'string') schema = artifact.definitions[schema.$ref.replace('#/definitions/', '')];
  return schema;
}

/**
 * Walks an L1 interface and its schema side by side: every property must be in the schema under its
 * JSON name (and no other property is), required exactly when the TypeScript property is, and nested interfaces
 * are checked against the definitions the schema refers to. Returns the problems found.
 */
function compare(l1: L1, interfaceName: string, schema: any, where: string, seen: Set<string>): string[] {
  const key = `${interfaceName} ${JSON.stringify(schema)}`;
  if (seen.has(key)) return [];
  seen.add(key);
  const declaration = l1.interfaces.get(interfaceName);
  if (!declaration) return [`${where}: no interface ${interfaceName}`];
  const def = resolve(schema);
  if (def?.type !== 'object' || def.additionalProperties !== false)
    return [`${where}: ${interfaceName} is not a closed object in the schema`];
  const problems: string[] = [];
  // The props of a kind (also as List items) lack apiVersion and kind, and status; the generator
  // adds the first two, and status from the OpenAPI models where upstream has one (checked below).
  const isKind = /^Kube\w+Props$/.test(interfaceName);
  const expected = new Set(isKind ? ['apiVersion', 'kind', 'status'] : []);
  const required = new Set<string>(isKind && def.required?.includes('status') ? ['status'] : []);
  for (const member of declaration.members) {
    if (!ts.isPropertySignature(member)) continue;
    const name = jsonName(member);
    expected.add(name);
    if (!member.questionToken) required.add(name);
    const property = def.properties?.[name];
    if (!property) {
      problems.push(`${where}/${name}: missing from the schema (${interfaceName}.${(member.name as ts.Identifier).text})`);
      continue;
    }
    problems.push(...compareType(l1, member.type!, property, `${where}/${name}`, seen));
  }
  for (const name of Object.keys(def.properties ?? {}))
    if (!expected.has(name)) problems.push(`${where}/${name}: in the schema but not in ${interfaceName}`);
  const schemaRequired = [...(def.required ?? [])].sort();
  if (JSON.stringify(schemaRequired) !== JSON.stringify([...required].sort()))
    problems.push(`${where}: required ${schemaRequired} in the schema, ${[...required]} in ${interfaceName}`);
  return problems;
}

function compareType(l1: L1, type: ts.TypeNode, schema: any, where: string, seen: Set<string>): string[] {
  const resolved = resolve(schema);
  if (ts.isArrayTypeNode(type)) {
    return resolved?.type === 'array'
      ? compareType(l1, type.elementType, resolved.items, `${where}/0`, seen)
      : [`${where}: not an array in the schema`];
  }
  if (ts.isTypeLiteralNode(type)) {
    const index = type.members.find(ts.isIndexSignatureDeclaration);
    if (!index || resolved?.type !== 'object' || !resolved.additionalProperties) return [`${where}: not a map in the schema`];
    return compareType(l1, index.type, resolved.additionalProperties, `${where}/*`, seen);
  }
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
    const name = type.typeName.text;
    if (name === 'Date')
      return resolved?.type === 'string' && resolved.format === 'date-time' ? [] : [`${where}: Date is not a date-time string`];
    if (name === 'Quantity')
      return JSON.stringify(resolved) === JSON.stringify({ type: ['string', 'number'] })
        ? []
        : [`${where}: Quantity is ${JSON.stringify(resolved)}`];
    if (name === 'IntOrString')
      return JSON.stringify(resolved) === JSON.stringify({ type: ['integer', 'string'] })
        ? []
        : [`${where}: IntOrString is ${JSON.stringify(resolved)}`];
    if (l1.interfaces.has(name)) return compare(l1, name, schema, where, seen);
    return []; // enums
  }
  const primitive = {
    [ts.SyntaxKind.StringKeyword]: 'string',
    [ts.SyntaxKind.NumberKeyword]: 'number',
    [ts.SyntaxKind.BooleanKeyword]: 'boolean',
  }[type.kind as number];
  // A `number` of k8s.d.ts is an integer or a double upstream (checked against the models below).
  const types = primitive === 'number' ? ['number', 'integer'] : [primitive];
  if (primitive) return types.includes(resolved?.type) ? [] : [`${where}: ${primitive} is ${JSON.stringify(resolved)} in the schema`];
  return []; // `any`: typed from the upstream definitions by the generator
}

describe('the schema covers the L1 types systematically', () => {
  const l1 = readL1();

  test('every Kube* class of k8s.d.ts is a kind of the registry', () => {
    const missing = l1.classes.filter((c) => {
      const gvk = (k8s as unknown as Record<string, { GVK: { apiVersion: string; kind: string } }>)[c].GVK;
      return !registry.has(gvk.apiVersion, gvk.kind);
    });
    expect(l1.classes.length).toBeGreaterThanOrEqual(150);
    expect(missing).toEqual([]);
  });

  const commonlyEmitted: [string, string, string][] = [
    ['KubeDeploymentProps', 'apps/v1', 'Deployment'],
    ['KubeDaemonSetProps', 'apps/v1', 'DaemonSet'],
    ['KubeStatefulSetProps', 'apps/v1', 'StatefulSet'],
    ['KubeServiceProps', 'v1', 'Service'],
    ['KubeConfigMapProps', 'v1', 'ConfigMap'],
    ['KubeServiceAccountProps', 'v1', 'ServiceAccount'],
    ['KubeNamespaceProps', 'v1', 'Namespace'],
    ['KubeClusterRoleProps', 'rbac.authorization.k8s.io/v1', 'ClusterRole'],
    ['KubeClusterRoleBindingProps', 'rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
    ['KubeRoleProps', 'rbac.authorization.k8s.io/v1', 'Role'],
    ['KubeRoleBindingProps', 'rbac.authorization.k8s.io/v1', 'RoleBinding'],
    ['KubeValidatingWebhookConfigurationProps', 'admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'],
    ['KubeCsiDriverProps', 'storage.k8s.io/v1', 'CSIDriver'],
  ];

  test.each(commonlyEmitted)('%s: every property, nested, is in the %s %s schema', (props, apiVersion, kind) => {
    const definition = artifact.kinds[apiVersion]?.[kind];
    expect(definition).toBeDefined();
    const root = artifact.definitions[definition];
    expect(root.properties.apiVersion).toEqual({ type: 'string', const: apiVersion });
    expect(root.properties.kind).toEqual({ type: 'string', const: kind });
    expect(compare(l1, props, root, '', new Set())).toEqual([]);
  });

  test('every kind is checked the same way', () => {
    const problems: string[] = [];
    for (const c of l1.classes) {
      const gvk = (k8s as unknown as Record<string, { GVK: { apiVersion: string; kind: string } }>)[c].GVK;
      const root = artifact.definitions[artifact.kinds[gvk.apiVersion][gvk.kind]];
      problems.push(...compare(l1, `${c}Props`, root, `${gvk.apiVersion} ${gvk.kind}`, new Set()));
    }
    // json2jsii gave these properties another group's same-named type; the generator restores the
    // upstream type (CONFLATED_PROPERTIES in scripts/import-schemas.ts), so they differ on purpose.
    const conflated = [
      /^discovery\.k8s\.io\/v1 EndpointSlice(List\/items\/0)?\/ports\/0[/:]/,
      /^flowcontrol\.apiserver\.k8s\.io\/v1 FlowSchema(List\/items\/0)?\/spec\/rules\/0\/subjects\/0[/:]/,
      /^apiregistration\.k8s\.io\/v1 APIService(List\/items\/0)?\/spec\/service[/:]/,
    ];
    expect(problems.filter((p) => !conflated.some((c) => c.test(p)))).toEqual([]);
  });

  test("where json2jsii used another group's type, the upstream type is restored", () => {
    const objects = [
      {
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
        kind: 'FlowSchema',
        metadata: { name: 'spire' },
        spec: {
          priorityLevelConfiguration: { name: 'workload-high' },
          rules: [
            {
              subjects: [
                { kind: 'ServiceAccount', serviceAccount: { name: 'spire-server', namespace: 'spire-server' } },
                { kind: 'User', user: { name: 'system:kube-controller-manager' } },
                { kind: 'Group', group: { name: 'system:nodes' } },
              ],
              resourceRules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'], clusterScope: true }],
            },
          ],
        },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'all-ports', namespace: 'n' },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['192.0.2.1'] }],
        ports: [{ name: '' }], // no port: all ports
      },
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1beta1.metrics.k8s.io' },
        spec: {
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          groupPriorityMinimum: 100,
          versionPriority: 100,
          service: { name: 'metrics-server', namespace: 'kube-system', port: 443 },
        },
      },
    ];
    expect(registry.validateAll(objects)).toEqual([]);
    const rbacSubject = structuredClone(objects[0]) as any;
    rbacSubject.spec.rules[0].subjects = [{ kind: 'ServiceAccount', name: 'spire-server', namespace: 'spire-server' }];
    expect(byField(registry.validate(rbacSubject))).toEqual({
      '/spec/rules/0/subjects/0/name': "unknown field 'name'",
      '/spec/rules/0/subjects/0/namespace': "unknown field 'namespace'",
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Systematic: integer types and status agree with the upstream OpenAPI models
// ---------------------------------------------------------------------------------------------

interface ModelField {
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}

/** Model class -> fields, from the @kubernetes/client-node models the generator reads. */
function readModels(): Map<string, readonly ModelField[]> {
  const models = new Map<string, readonly ModelField[]>();
  for (const file of fs.readdirSync(OPENAPI_MODELS_DIR)) {
    if (!file.endsWith('.js') || file === 'all.js' || file === 'ObjectSerializer.js') continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain data modules, loaded by path
    const exported = require(path.join(OPENAPI_MODELS_DIR, file)) as Record<string, { attributeTypeMap?: ModelField[] }>;
    for (const [name, value] of Object.entries(exported))
      if (Array.isArray(value?.attributeTypeMap)) models.set(name, value.attributeTypeMap);
  }
  return models;
}

/** apps.v1.DeploymentSpec -> V1DeploymentSpec, or AppsV1DeploymentSpec where several groups share the name. */
function modelOf(models: Map<string, readonly ModelField[]>, definition: string): readonly ModelField[] | undefined {
  const parts = definition.split('.');
  const kind = parts.pop()!;
  const v = parts.findIndex((p) => /^v\d/.test(p));
  if (v < 0) return undefined;
  const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
  const versioned = cap(parts[v]) + kind;
  return models.get(parts.slice(0, v).map(cap).join('') + versioned) ?? models.get(versioned);
}

/** The scalar at the end of a field's schema (through array items and map values), without following $ref. */
function leafOf(schema: any): any {
  if (schema?.type === 'array') return leafOf(schema.items);
  if (schema?.type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    return leafOf(schema.additionalProperties);
  }
  return schema;
}

describe('integer types and status agree with the Kubernetes 1.30 OpenAPI models', () => {
  const models = readModels();

  test('the models are generated from Kubernetes v1.30', () => {
    const text = fs.readFileSync(path.join(OPENAPI_MODELS_DIR, 'V1DeploymentSpec.js'), 'utf8');
    expect(/OpenAPI spec version: (\S+)/.exec(text)?.[1]).toMatch(/^v1\.30\.\d+$/);
    expect(artifact).toMatchObject({ generator: expect.stringContaining('@kubernetes/client-node 1.0.0-rc7 (OpenAPI v1.30.1)') });
  });

  test('a field is an integer in the schema exactly when it is int32/int64 upstream; doubles stay numbers', () => {
    const problems: string[] = [];
    let integers = 0;
    let matched = 0;
    for (const [name, def] of Object.entries(artifact.definitions)) {
      const fields = modelOf(models, name);
      if (!fields) {
        // No model: the scalar definitions (Quantity, IntOrString, RawExtension, ...), none with a number.
        if (/"type":"(number|integer)"/.test(JSON.stringify(def))) problems.push(`${name}: numbers, but no model`);
        continue;
      }
      matched++;
      for (const field of fields) {
        const schema = def.properties?.[field.baseName];
        if (!schema) {
          problems.push(`${name}#${field.baseName}: missing`);
          continue;
        }
        const leaf = leafOf(schema);
        const upstream = field.type.replace(/^Array<(.+)>$/, '$1');
        const expected = upstream === 'number' ? (['int32', 'int64'].includes(field.format) ? 'integer' : 'number') : undefined;
        if (expected === 'integer') integers++;
        const actual = leaf?.type === 'integer' || leaf?.type === 'number' ? leaf.type : undefined;
        if (actual !== expected)
          problems.push(`${name}#${field.baseName}: ${actual ?? 'no number'} in the schema, ${field.type} ${field.format} upstream`);
      }
    }
    expect(problems).toEqual([]);
    expect(matched).toBeGreaterThanOrEqual(590);
    expect(integers).toBeGreaterThanOrEqual(190);
  });

  test('every kind has status exactly where its upstream model has one', () => {
    const problems: string[] = [];
    let withStatus = 0;
    for (const [apiVersion, kinds] of Object.entries(artifact.kinds)) {
      for (const [kind, definition] of Object.entries(kinds)) {
        const upstream = modelOf(models, definition)?.some((f) => f.baseName === 'status');
        const schema = 'status' in artifact.definitions[definition].properties;
        if (upstream !== schema)
          problems.push(`${apiVersion} ${kind}: status ${schema ? 'in' : 'not in'} the schema, ${upstream ? 'in' : 'not in'} the model`);
        if (schema) withStatus++;
      }
    }
    expect(problems).toEqual([]);
    expect(withStatus).toBeGreaterThanOrEqual(40);
    expect(artifact.definitions['apps.v1.Deployment'].properties.status).toEqual({ $ref: '#/definitions/apps.v1.DeploymentStatus' });
    expect(artifact.definitions['apiextensions.v1.CustomResourceDefinition'].properties.status).toEqual({
      $ref: '#/definitions/apiextensions.v1.CustomResourceDefinitionStatus',
    });
  });
});
