/**
 * ClusterStaticEntry parent IDs against the IDs this SPIRE issues: k8s_psat agents
 * `spiffe://<td>/spire/agent/k8s_psat/<cluster>/<node UID>`, the server `spiffe://<td>/spire/server`, or a node
 * alias declared first. Seed 004's `spiffe://example.org/ns/spire/sa/spire-agent` (Istio's manual registration) is
 * refused unless its node alias is declared.
 */
import { App, Chart } from 'cdk8s';
import { collectObjects } from '../../lib';
import { ClusterStaticEntry, ClusterStaticEntryProps, PARENT_ID_TEMPLATE } from '../../lib/spire';
import { SPIRE_AGENT_ID_PATH_PREFIX, spireServerId } from '../../lib/spire/names';
import { SchemaRegistry } from '../../lib/validation';
import { errorOf } from '../helpers';
import { spireMesh } from './helpers';

const NODE_UID = '4f1c2b3a-9d8e-4c7b-a6f5-e4d3c2b1a0f9';
const SEED_004_PARENT = 'spiffe://example.org/ns/spire/sa/spire-agent';

/** An entry in cluster1 (trust domain cluster1) of the example mesh. */
function meshEntry(props: Partial<ClusterStaticEntryProps>, fixture = spireMesh()): ClusterStaticEntry {
  return new ClusterStaticEntry(fixture.spire, props.name ?? 'Entry', {
    name: 'ingress',
    spiffeId: 'spiffe://cluster1/ns/istio-system/sa/istio-ingressgateway-service-account',
    parentId: `spiffe://cluster1/spire/agent/k8s_psat/cluster1/${NODE_UID}`,
    selectors: ['k8s:ns:istio-system', 'k8s:sa:istio-ingressgateway-service-account'],
    ...props,
  });
}

describe('ClusterStaticEntry parent IDs', () => {
  test("seed 004's parent ID is refused, naming the agent and server forms of this SPIRE", () => {
    const e = errorOf(
      () =>
        new ClusterStaticEntry(new Chart(new App(), 'bare'), 'Sleep', {
          name: 'sleep',
          spiffeId: 'spiffe://example.org/ns/default/sa/sleep',
          parentId: SEED_004_PARENT,
          selectors: ['k8s:ns:default'],
        }),
    );
    expect(e.message).toContain(
      "parentId: 'spiffe://example.org/ns/spire/sa/spire-agent' is not an ID this SPIRE issues: agents are 'spiffe://example.org/spire/agent/k8s_psat/<cluster>/<node UID>' (k8s_psat), the server is 'spiffe://example.org/spire/server'",
    );
    // In a mesh cluster the message names the real trust domain and k8s_psat cluster.
    const inMesh = errorOf(() => meshEntry({ parentId: 'spiffe://cluster1/ns/spire/sa/spire-agent' }));
    expect(inMesh.message).toContain("agents are 'spiffe://cluster1/spire/agent/k8s_psat/cluster1/<node UID>' (k8s_psat)");
    expect(inMesh.message).toContain("the server is 'spiffe://cluster1/spire/server'");
    expect(inMesh.message).toContain(
      "fix: use the agent ID 'spiffe://cluster1/spire/agent/k8s_psat/cluster1/<node UID>', or declare a node alias first",
    );
  });

  test('the agent form is accepted and renders; it is the form of the controller manager parent ID template', () => {
    const fixture = spireMesh();
    const entry = meshEntry({}, fixture);
    expect(entry.resource.toJson().spec.parentID).toBe(`spiffe://cluster1/spire/agent/k8s_psat/cluster1/${NODE_UID}`);
    expect(SchemaRegistry.default().validate(entry.resource.toJson())).toEqual([]);
    expect(collectObjects(fixture.app).findings).toEqual([]);
    expect(PARENT_ID_TEMPLATE).toBe(`spiffe://{{ .TrustDomain }}${SPIRE_AGENT_ID_PATH_PREFIX}/{{ .ClusterName }}/{{ .NodeMeta.UID }}`);
  });

  test('the server ID is accepted (node entries), and a node alias declared first is accepted as parent', () => {
    const fixture = spireMesh();
    const alias = meshEntry(
      {
        name: 'cluster1-nodes',
        spiffeId: 'spiffe://cluster1/k8s-cluster/cluster1',
        parentId: spireServerId('cluster1'),
        selectors: ['k8s_psat:cluster:cluster1'],
      },
      fixture,
    );
    expect(alias.parentId).toBe(fixture.mesh.model.cluster('cluster1').spireServerSpiffeId);
    expect(() => meshEntry({ name: 'sleep', parentId: 'spiffe://cluster1/k8s-cluster/cluster1' }, fixture)).not.toThrow();
  });

  test('the cluster segment must be the k8s_psat cluster, the last one a node UID', () => {
    expect(errorOf(() => meshEntry({ parentId: `spiffe://cluster1/spire/agent/k8s_psat/example-cluster/${NODE_UID}` })).message).toContain(
      `names k8s_psat cluster 'example-cluster', but the agents of this cluster attest as 'cluster1'\n      fix: use 'spiffe://cluster1/spire/agent/k8s_psat/cluster1/${NODE_UID}'`,
    );
    expect(errorOf(() => meshEntry({ parentId: 'spiffe://cluster1/spire/agent/k8s_psat/cluster1/worker-1' })).message).toContain(
      "is not an agent ID of this SPIRE: k8s_psat agents are 'spiffe://cluster1/spire/agent/k8s_psat/cluster1/<node UID>', where the last segment is the node's metadata.uid (a UUID)",
    );
  });

  test('IDs of another trust domain are refused in a mesh cluster', () => {
    const e = errorOf(() =>
      meshEntry({
        spiffeId: 'spiffe://cluster2/ns/default/sa/sleep',
        parentId: `spiffe://cluster2/spire/agent/k8s_psat/cluster2/${NODE_UID}`,
      }),
    );
    expect(e.message).toContain(
      "spiffeId: 'spiffe://cluster2/ns/default/sa/sleep' is not in the trust domain 'cluster1' of cluster 'cluster1'",
    );
    expect(e.message).toContain(
      "parentId: 'spiffe://cluster2/spire/agent/k8s_psat/cluster2/4f1c2b3a-9d8e-4c7b-a6f5-e4d3c2b1a0f9' is not an ID this SPIRE issues",
    );
  });
});
