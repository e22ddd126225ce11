/**
 * Per-cluster overrides (`clusters[].overrides`): chart values per Istio chart merged over the mesh-wide
 * `components.istio.extraValues` for that cluster only, refused where the spec derives them (the escape hatch's one
 * screen), and the SPIRE server's and agent's placement and resources; from TypeScript props and from a YAML
 * inventory; the merged istiod values rendered by the real istiod chart (helm template).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import * as YAML from 'yaml';
import { ModelOwnedValueError, SpecValidationError, SpireMesh, SpireMeshProps, parseMeshSpecYaml, toMeshSpecDocument } from '../../lib';
import { Istio } from '../../lib/istio';
import { MeshSpec, meshPropsFromDocument } from '../../lib/spec';
import { errorOf, exampleProps, tempDir } from '../helpers';
import { SHARED_CHARTS, helmBinary } from '../variants/harness';

type Json = Record<string, any>;

/** The example mesh (two Solo ambient clusters, Argo CD delivery) with overrides on cluster2 and an ingress gateway there. */
function withOverrides(
  overrides: MeshSpec['clusters'][number]['overrides'],
  components: SpireMeshProps['components'] = {},
): SpireMeshProps {
  const base = exampleProps();
  return {
    ...base,
    clusters: [base.clusters[0], { ...base.clusters[1], ingressGateways: [{ name: 'istio-ingressgateway' }], overrides }],
    components,
  };
}

/** The objects of one cluster, as plain data. */
function objectsOf(mesh: SpireMesh, cluster: string): Json[] {
  return mesh
    .clusterChart(cluster)
    .node.findAll()
    .filter((c): c is ApiObject => ApiObject.isApiObject(c))
    .map((o) => o.toJson());
}

function find(objects: Json[], kind: string, name: string): Json {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** The Argo CD Application of a release: what the delivery hands Argo CD (`spec.source.helm.valuesObject`). */
const application = (mesh: SpireMesh, cluster: string, release: string) => find(objectsOf(mesh, cluster), 'Application', release);

describe('Istio chart values per cluster', () => {
  const props = withOverrides(
    {
      istio: {
        istiod: { pilot: { resources: { requests: { cpu: '750m' } } }, meshConfig: { accessLogEncoding: 'JSON' } },
        ztunnel: { resources: { requests: { cpu: '300m' } } },
        gateways: { 'istio-ingressgateway': { autoscaling: { minReplicas: 3 } } },
      },
    },
    { istio: { extraValues: { istiod: { pilot: { resources: { requests: { cpu: '500m', memory: '1Gi' } } } } } } },
  );

  test('reach the delivered values of that cluster only, merged over the mesh-wide extraValues', () => {
    const mesh = new SpireMesh(new App(), 'mesh', props);
    const east = application(mesh, 'cluster1', 'istiod');
    const west = application(mesh, 'cluster2', 'istiod');
    // Mesh-wide everywhere; the cluster's cpu over it, the mesh's memory kept (objects merge key by key).
    expect(east.spec.source.helm.valuesObject.pilot.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' } });
    expect(west.spec.source.helm.valuesObject.pilot.resources).toEqual({ requests: { cpu: '750m', memory: '1Gi' } });
    expect(west.spec.source.helm.valuesObject.meshConfig.accessLogEncoding).toBe('JSON');
    expect(east.spec.source.helm.valuesObject.meshConfig.accessLogEncoding).toBeUndefined();
    // The derived values stay (the merge is over them, not instead of them).
    expect(west.spec.source.helm.valuesObject.meshConfig.trustDomain).toBe('cluster2');
    // Reviewers see every key that came through an escape hatch, mesh-wide or the cluster's.
    expect(west.metadata.annotations['spiremesh.dev/extra-values']).toBe(
      'pilot.resources.requests.cpu,pilot.resources.requests.memory,meshConfig.accessLogEncoding',
    );
    expect(east.metadata.annotations['spiremesh.dev/extra-values']).toBe('pilot.resources.requests.cpu,pilot.resources.requests.memory');
    expect(application(mesh, 'cluster2', 'ztunnel').spec.source.helm.valuesObject.resources).toEqual({ requests: { cpu: '300m' } });
    expect(application(mesh, 'cluster1', 'ztunnel').spec.source.helm.valuesObject.resources).toBeUndefined();
    const gateway = application(mesh, 'cluster2', 'istio-ingressgateway');
    expect(gateway.spec.source.helm.valuesObject.autoscaling).toEqual({ minReplicas: 3 });
    expect(gateway.spec.source.helm.valuesObject.service.type).toBe('LoadBalancer');
    expect(gateway.metadata.annotations['spiremesh.dev/extra-values']).toBe('autoscaling.minReplicas');
  });

  test('the same overrides from a YAML inventory give the same delivered values', () => {
    const { components, ...spec } = props;
    const yaml = YAML.stringify(toMeshSpecDocument(spec));
    expect(yaml).toContain('overrides:');
    const model = parseMeshSpecYaml(yaml, 'mesh.yaml');
    const fromYaml = SpireMesh.fromModel(new App(), 'mesh', model, components);
    const fromTs = new SpireMesh(new App(), 'mesh', props);
    for (const release of ['istio-base', 'istiod', 'istio-cni', 'ztunnel', 'istio-ingressgateway']) {
      expect(application(fromYaml, 'cluster2', release).spec).toEqual(application(fromTs, 'cluster2', release).spec);
    }
    // Conversion both ways keeps the overrides as declared.
    expect(meshPropsFromDocument(toMeshSpecDocument(spec)).clusters[1].overrides).toEqual(spec.clusters[1].overrides);
  });

  test.each([
    ['istiod', { global: { network: 'other' } }, 'global.network', 'clusters[].network'],
    ['istiod', { meshConfig: { trustDomain: 'x.example.com' } }, 'meshConfig.trustDomain', 'clusters[].trustDomain'],
    ['ztunnel', { spire: { enabled: false } }, 'spire.enabled', 'Spire component'],
    ['base', { profile: 'demo' }, 'profile', 'clusters[].dataplaneMode'],
    ['gateways.istio-ingressgateway', { service: { type: 'NodePort' } }, 'service.type', 'ingressGateways'],
    ['gateways.istio-ingressgateway', { serviceAccount: { name: 'other' } }, 'serviceAccount.name', 'SPIFFE ID'],
  ] as const)('%s %j is refused, naming the cluster, the override and the spec field to set instead', (chart, values, leaf, field) => {
    const istio = chart.startsWith('gateways.') ? { gateways: { [chart.slice('gateways.'.length)]: values } } : { [chart]: values };
    const e = errorOf(() => new SpireMesh(new App(), 'mesh', withOverrides({ istio })));
    expect(e).toBeInstanceOf(ModelOwnedValueError);
    expect(e.message).toContain('cluster cluster2: the Istio escape hatch sets values that the mesh spec derives');
    expect(e.message).toContain(`error [istio] clusters[1].overrides.istio.${chart}.${leaf}:`);
    expect(e.message).toContain(`remove it from clusters[1].overrides.istio.${chart} and`);
    expect(e.message).toContain(field);
  });

  test('a value the escape hatch drops is dropped from overrides too, with a warning naming the override', () => {
    const mesh = new SpireMesh(new App(), 'mesh', withOverrides({ istio: { istiod: { pilot: { cni: { namespace: 'kube-system' } } } } }));
    const west = application(mesh, 'cluster2', 'istiod');
    expect(west.spec.source.helm.valuesObject.pilot.cni).toEqual({ enabled: true });
    const warnings = mesh.clusterChart('cluster2').node.metadata.concat(
      mesh
        .clusterChart('cluster2')
        .node.findAll()
        .flatMap((c) => c.node.metadata),
    );
    expect(warnings.map((m) => String(m.data)).join('\n')).toContain(
      "istiod value 'pilot.cni.namespace' (clusters[1].overrides.istio.istiod) was dropped",
    );
  });
});

describe('spec rules of overrides', () => {
  const problems = (overrides: unknown, cluster: Json = {}) => {
    const doc = toMeshSpecDocument(exampleProps()) as Json;
    doc.clusters[1] = { ...doc.clusters[1], ...cluster, overrides };
    const e = errorOf(() => parseMeshSpecYaml(YAML.stringify(doc), 'mesh.yaml'));
    expect(e).toBeInstanceOf(SpecValidationError);
    return e.message;
  };

  test.each([
    [{ istio: { istiod: { x: 1 } }, spire: { agnet: {} } }, {}, "clusters[1].overrides.spire.agnet: unknown field 'agnet'"],
    [{ istio: { ztunnel: { a: 1 } } }, { dataplaneMode: 'sidecar' }, 'is a sidecar cluster and has no ztunnel'],
    [{ istio: { cni: { a: 1 } } }, { istioCni: false }, 'delivers no istio-cni'],
    [{ istio: { gateways: { missing: { a: 1 } } } }, {}, "cluster 'cluster2' has no ingress gateway 'missing'"],
    [{ spire: { agent: { resources: { requests: { cpu: '1 core' } } } } }, {}, "'1 core' is not a Kubernetes quantity"],
    [{ spire: { server: { tolerations: [{ operator: 'Exists', value: 'x' }] } } }, {}, 'a toleration with operator Exists has no value'],
    [
      { spire: { server: { tolerations: [{ key: 'k', tolerationSeconds: 5 }] } } },
      {},
      'tolerationSeconds applies to NoExecute taints only',
    ],
  ])('%j on %j is refused before anything is rendered', (overrides, cluster, says) => {
    expect(problems(overrides, cluster)).toContain(says);
  });

  test('gloo-operator delivery refuses Istio chart overrides (the operator installs Istio)', () => {
    const doc = YAML.parse(fs.readFileSync(path.join(__dirname, '../../examples/gloo-operator/mesh.yaml'), 'utf8'));
    doc.clusters[0].overrides = { istio: { istiod: { pilot: { replicaCount: 2 } } } };
    const e = errorOf(() => parseMeshSpecYaml(YAML.stringify(doc), 'mesh.yaml'));
    expect(e.message).toContain('clusters[0].overrides.istio.istiod');
    expect(e.message).toContain('the Gloo Operator installs Istio from the ServiceMeshController');
  });
});

describe('SPIRE settings per cluster', () => {
  test('node selector, tolerations and resources reach that cluster’s server and agent only', () => {
    const tolerations = [{ key: 'dedicated', operator: 'Equal' as const, value: 'mesh', effect: 'NoSchedule' as const }];
    const mesh = new SpireMesh(
      new App(),
      'mesh',
      withOverrides({
        spire: {
          server: { nodeSelector: { 'node-role.example.com/infra': 'true' }, tolerations, resources: { requests: { cpu: '250m' } } },
          agent: { tolerations, resources: { requests: { memory: '64Mi' }, limits: { memory: '256Mi' } } },
        },
      }),
    );
    const server = find(objectsOf(mesh, 'cluster2'), 'StatefulSet', 'spire-server').spec.template.spec;
    expect(server.nodeSelector).toEqual({ 'node-role.example.com/infra': 'true' });
    expect(server.tolerations).toEqual(tolerations);
    expect(server.containers.find((c: Json) => c.name === 'spire-server').resources).toEqual({ requests: { cpu: '250m' } });
    const agent = find(objectsOf(mesh, 'cluster2'), 'DaemonSet', 'spire-agent').spec.template.spec;
    expect(agent.tolerations).toEqual(tolerations);
    expect(agent.nodeSelector).toBeUndefined();
    expect(agent.containers.find((c: Json) => c.name === 'spire-agent').resources).toEqual({
      requests: { memory: '64Mi' },
      limits: { memory: '256Mi' },
    });
    // The other cluster keeps the defaults: the agent tolerates every NoSchedule/NoExecute taint, the server sets nothing.
    const eastServer = find(objectsOf(mesh, 'cluster1'), 'StatefulSet', 'spire-server').spec.template.spec;
    expect(eastServer.nodeSelector).toBeUndefined();
    expect(eastServer.tolerations).toBeUndefined();
    const eastAgent = find(objectsOf(mesh, 'cluster1'), 'DaemonSet', 'spire-agent').spec.template.spec;
    expect(eastAgent.tolerations).toEqual([
      { effect: 'NoSchedule', operator: 'Exists' },
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { effect: 'NoExecute', operator: 'Exists' },
    ]);
    expect(eastAgent.containers.find((c: Json) => c.name === 'spire-agent').resources).toBeUndefined();
  });
});

describe('the real istiod chart renders a cluster override', () => {
  test('helm template of the Solo istiod snapshot with cluster2’s delivered values sets its pilot resources', () => {
    const mesh = new SpireMesh(
      new App(),
      'mesh',
      withOverrides({ istio: { istiod: { pilot: { resources: { requests: { cpu: '750m', memory: '3Gi' } } } } } }),
    );
    const release = Istio.of(mesh.clusterChart('cluster2'))!.releases.istiod;
    const archive = path.join(SHARED_CHARTS, 'solo-snapshot/istiod-1.29.0-solo-snapshot.tgz');
    expect(fs.existsSync(archive)).toBe(true);
    const valuesFile = path.join(tempDir('spiremesh-overrides-'), 'istiod.json');
    fs.writeFileSync(valuesFile, JSON.stringify(release.values));
    const out = execFileSync(
      helmBinary(),
      ['template', release.releaseName, archive, '--namespace', release.namespace, '--values', valuesFile],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
    );
    const deployment = YAML.parseAllDocuments(out)
      .map((d) => d.toJS() as Json)
      .find((o) => o?.kind === 'Deployment' && o.metadata.name === 'istiod');
    expect(deployment).toBeDefined();
    const discovery = deployment!.spec.template.spec.containers.find((c: Json) => c.name === 'discovery');
    expect(discovery.resources.requests).toEqual({ cpu: '750m', memory: '3Gi' });
  });
});
