/**
 * The federation settings spiremesh renders natively, against what the real spire chart 0.24.2 renders with
 * `helm template` for the same trust domain, cluster, refresh hint and CA TTL, with the agent SDS values of Istio's
 * federation sample (istio/istio samples/security/spire-trust-domain-federation/spire-base.yaml). Needs the helm
 * binary (SPIREMESH_HELM or scripts/fetch-helm.sh) and ../shared/charts/spire-0.24.2.tgz: it fails, never skips,
 * without them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { tempDir } from '../helpers';
import { SHARED_CHARTS, helmBinary } from '../variants/harness';
import { BAR, BAR_ADDRESS, FOO, federatedMesh, federatedMeshProps } from './federation-fixtures';
import { emittedConfigs, find } from './helpers';

const CHART = path.join(SHARED_CHARTS, 'spire-0.24.2.tgz');

/** `helm template spire <chart> -n spire-server -f values` as objects. */
function helmTemplate(values: string): any[] {
  if (!fs.existsSync(CHART)) throw new Error(`${CHART} is missing: this test renders the real spire chart`);
  const file = path.join(tempDir('spiremesh-spire-chart-'), 'values.yaml');
  fs.writeFileSync(file, values);
  const out = execFileSync(helmBinary(), ['template', 'spire', CHART, '--namespace', 'spire-server', '-f', file], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(out)
    .map((d) => d.toJSON())
    .filter((o) => o && typeof o === 'object');
}

const VALUES = `
global:
  spire:
    trustDomain: ${FOO}
    clusterName: cluster-1
spire-server:
  caTTL: 48h
  federation:
    enabled: true
    bundleEndpoint:
      refreshHint: 10m
  controllerManager:
    identities:
      clusterFederatedTrustDomains:
        bar:
          trustDomain: ${BAR}
          bundleEndpointURL: https://${BAR_ADDRESS}:8443
          bundleEndpointProfile:
            type: https_spiffe
            endpointSPIFFEID: spiffe://${BAR}/spire/server
spire-agent:
  sds:
    enabled: true
    defaultSVIDName: default
    defaultBundleName: "null"
    defaultAllBundlesName: ROOTCA
`;

describe('federation settings against the real spire chart 0.24.2', () => {
  const chart = helmTemplate(VALUES);
  const ours = federatedMesh(federatedMeshProps({ caTtl: '48h', bundleRefreshHint: '10m' })).objects('cluster-1');

  test('server.conf: the federation block and ca_ttl are what the chart writes', () => {
    const chartServer = JSON.parse(find(chart, 'ConfigMap', 'spire-server').data['server.conf']).server;
    const { server } = emittedConfigs(ours);
    expect(server.server.federation).toEqual(chartServer.federation);
    expect(server.server.ca_ttl).toBe(chartServer.ca_ttl);
  });

  test('the spire-server Service ports and the server container port are what the chart renders', () => {
    expect(find(ours, 'Service', 'spire-server').spec.ports).toEqual(find(chart, 'Service', 'spire-server').spec.ports);
    const port = (objects: any[]) =>
      find(objects, 'StatefulSet', 'spire-server')
        .spec.template.spec.containers.find((c: any) => c.name === 'spire-server')
        .ports.find((p: any) => p.name === 'federation');
    expect(port(ours)).toEqual(port(chart));
  });

  test("agent.conf: the sds block is what the chart writes with Istio's federation values", () => {
    const chartAgent = JSON.parse(find(chart, 'ConfigMap', 'spire-agent').data['agent.conf']).agent;
    expect(emittedConfigs(ours).agent.agent.sds).toEqual(chartAgent.sds);
  });

  test('the ClusterFederatedTrustDomain has the fields and class of the chart-rendered one (plus the bootstrap bundle when known)', () => {
    const chartFtd = chart.find((o) => o.kind === 'ClusterFederatedTrustDomain');
    expect(chartFtd.metadata.name).toBe('spire-server-spire-bar');
    const ftd = find(ours, 'ClusterFederatedTrustDomain', BAR);
    expect(ftd.spec).toEqual(chartFtd.spec);
  });
});
