import { App, Chart } from 'cdk8s';
import {
  BundleEndpointProfile,
  ClusterFederatedTrustDomain,
  ClusterFederatedTrustDomainProps,
  ClusterSpiffeId,
  ClusterSpiffeIdProps,
  ClusterStaticEntry,
  ClusterStaticEntryProps,
  LabelSelectorOperator,
  SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE,
  SpireConfigError,
} from '../../lib/spire';
import { SpiremeshError, formatFinding } from '../../lib/spec';
import { SchemaRegistry } from '../../lib/validation';
import { errorOf } from '../helpers';

/** A bare chart: the identity constructs need no mesh. */
const chart = () => new Chart(new App(), 'test');

const spiffeId = (props: Partial<ClusterSpiffeIdProps>) =>
  new ClusterSpiffeId(chart(), 'Id', {
    name: 'workloads',
    spiffeIdTemplate: SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE,
    podSelector: { matchLabels: { app: 'web' } },
    ...props,
  });
const ftd = (props: Partial<ClusterFederatedTrustDomainProps>) =>
  new ClusterFederatedTrustDomain(chart(), 'Ftd', {
    trustDomain: 'cluster2',
    bundleEndpointUrl: 'https://spire.cluster2.example.org:8443',
    bundleEndpointProfile: BundleEndpointProfile.HTTPS_SPIFFE,
    endpointSpiffeId: 'spiffe://cluster2/spire/server',
    ...props,
  });
/** An agent ID of the form k8s_psat gives agents (the node's metadata.uid is a UUID). */
const AGENT_ID = 'spiffe://example.org/spire/agent/k8s_psat/cluster1/0c6a3d1e-58f2-4b7a-9d1e-2f3a4b5c6d7e';
const entry = (props: Partial<ClusterStaticEntryProps>) =>
  new ClusterStaticEntry(chart(), 'Entry', {
    name: 'sleep',
    spiffeId: 'spiffe://example.org/ns/default/sa/sleep',
    parentId: AGENT_ID,
    selectors: ['k8s:ns:default', 'k8s:sa:sleep'],
    ...props,
  });

describe('ClusterSpiffeId', () => {
  test('a valid registration renders the typed CR with the class and passes the CRD schema', () => {
    const id = spiffeId({
      namespaceSelector: { matchExpressions: [{ key: 'team', operator: LabelSelectorOperator.IN, values: ['a', 'b'] }] },
      dnsNameTemplates: ['{{ .PodMeta.Name }}.{{ .PodMeta.Namespace }}.svc'],
      workloadSelectorTemplates: ['k8s:ns:{{ .PodMeta.Namespace }}'],
      federatesWith: ['cluster2'],
      ttl: '1h',
      jwtTtl: '5m',
      hint: 'web',
      autoPopulateDnsNames: true,
    });
    const json = id.resource.toJson();
    expect(json).toEqual({
      apiVersion: 'spire.spiffe.io/v1alpha1',
      kind: 'ClusterSPIFFEID',
      metadata: { name: 'workloads' },
      spec: {
        className: 'spire-server-spire',
        spiffeIDTemplate: SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE,
        podSelector: { matchLabels: { app: 'web' } },
        namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] },
        dnsNameTemplates: ['{{ .PodMeta.Name }}.{{ .PodMeta.Namespace }}.svc'],
        workloadSelectorTemplates: ['k8s:ns:{{ .PodMeta.Namespace }}'],
        federatesWith: ['cluster2'],
        ttl: '1h',
        jwtTtl: '5m',
        hint: 'web',
        autoPopulateDNSNames: true,
      },
    });
    expect(SchemaRegistry.default().validate(json)).toEqual([]);
  });

  test("the template must start with 'spiffe://'", () => {
    const e = errorOf(() => spiffeId({ spiffeIdTemplate: '{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}' })) as SpireConfigError;
    expect(e).toBeInstanceOf(SpireConfigError);
    expect(e.message).toContain("spiffeIdTemplate: '{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}' does not start with 'spiffe://'");
    expect(e.message).toContain("fix: start it with 'spiffe://{{ .TrustDomain }}/'");
    // One error type: a SpiremeshError whose findings are rendered by formatFinding under the headline.
    expect(e).toBeInstanceOf(SpiremeshError);
    expect(e.name).toBe('SpireConfigError');
    expect(e.subject).toBe("ClusterSpiffeId 'workloads' (test/Id)");
    expect(e.findings).toEqual([
      {
        severity: 'error',
        source: 'spire',
        subject: 'spiffeIdTemplate',
        message: "'{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}' does not start with 'spiffe://'",
        fix: `start it with 'spiffe://{{ .TrustDomain }}/', e.g. '${SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE}'`,
      },
    ]);
    expect(e.message).toBe(`ClusterSpiffeId 'workloads' (test/Id) is invalid:\n${formatFinding(e.findings[0], { indent: '  ' })}`);
  });

  test('only the known template fields', () => {
    const e = errorOf(() => spiffeId({ spiffeIdTemplate: 'spiffe://{{ .TrustDomain }}/ns/{{ .Namespace }}/sa/{{ .ServiceAccount }}' }));
    expect(e.message).toContain("uses unknown template field '.Namespace': did you mean .PodMeta.Namespace?");
    expect(e.message).toContain("uses unknown template field '.ServiceAccount'");
    expect(e.message).toContain(
      'fix: use only the fields the controller manager provides: .TrustDomain .ClusterName .ClusterDomain .PodMeta .PodSpec .NodeMeta .NodeSpec',
    );
    // Nested fields, functions, string literals and '$' are fine.
    expect(() =>
      spiffeId({
        spiffeIdTemplate:
          'spiffe://{{ $.TrustDomain }}/{{ .ClusterName }}/{{ index .PodMeta.Labels "app.kubernetes.io/name" }}/{{ .NodeSpec.ProviderID }}',
      }),
    ).not.toThrow();
    expect(errorOf(() => spiffeId({ dnsNameTemplates: ['{{ .Pod.Name }}.svc'] })).message).toContain(
      "dnsNameTemplates[0]: '{{ .Pod.Name }}.svc' uses unknown template field '.Pod'",
    );
  });

  test("balanced '{{ }}'", () => {
    expect(errorOf(() => spiffeId({ spiffeIdTemplate: 'spiffe://{{ .TrustDomain }/ns/x' })).message).toContain(
      "spiffeIdTemplate: 'spiffe://{{ .TrustDomain }/ns/x' has a '{{' at offset 9 that is never closed",
    );
    expect(errorOf(() => spiffeId({ spiffeIdTemplate: 'spiffe://.TrustDomain }}/ns/x' })).message).toContain(
      "has a '}}' at offset 22 without a matching '{{'",
    );
    expect(errorOf(() => spiffeId({ spiffeIdTemplate: 'spiffe://{{ .TrustDomain /ns/{{ .PodMeta.Namespace }}' })).message).toContain(
      "has a '{{' at offset 9 that is not closed before the next '{{'",
    );
    expect(errorOf(() => spiffeId({ spiffeIdTemplate: 'spiffe://{{ }}/x' })).message).toContain("has an empty '{{ }}'");
  });

  test('a selector that matches every pod is an error unless matchAllPods is set', () => {
    for (const selectors of [{}, { podSelector: {} }, { podSelector: { matchLabels: {} }, namespaceSelector: { matchExpressions: [] } }]) {
      const e = errorOf(() => spiffeId({ podSelector: undefined, ...selectors }));
      expect(e.message).toContain(
        'neither podSelector nor namespaceSelector has a label or expression, so this registration would match every pod in the cluster',
      );
      expect(e.message).toContain(
        'fix: add matchLabels or matchExpressions to podSelector or namespaceSelector, or set matchAllPods: true if every pod is meant',
      );
    }
    const all = spiffeId({ podSelector: undefined, matchAllPods: true });
    expect(all.resource.toJson().spec.podSelector).toBeUndefined();
    // A namespace selector alone is a real selection.
    expect(() => spiffeId({ podSelector: undefined, namespaceSelector: { matchLabels: { mesh: 'on' } } })).not.toThrow();
  });

  test('selector expressions need values for In/NotIn and none for Exists/DoesNotExist', () => {
    const e = errorOf(() =>
      spiffeId({
        podSelector: {
          matchExpressions: [
            { key: 'app', operator: LabelSelectorOperator.IN },
            { key: 'tier', operator: LabelSelectorOperator.EXISTS, values: ['x'] },
          ],
        },
      }),
    );
    expect(e.message).toContain("podSelector.matchExpressions[0] (key 'app'): operator In needs at least one value");
    expect(e.message).toContain("podSelector.matchExpressions[1] (key 'tier'): operator Exists takes no values, got [x]");
  });

  test('other fields: name, durations, federatesWith, workload selector templates', () => {
    const e = errorOf(() =>
      spiffeId({
        name: 'Workloads_1',
        ttl: '1 hour',
        federatesWith: ['spiffe://Cluster2'],
        workloadSelectorTemplates: ['ns-{{ .PodMeta.Namespace }}'],
      }),
    );
    expect(e.message).toContain("name: 'Workloads_1' is not a valid Kubernetes object name");
    expect(e.message).toContain("ttl: '1 hour' is not a duration");
    expect(e.message).toContain("federatesWith[0]: 'Cluster2' is not a valid SPIFFE trust domain name");
    expect(e.message).toContain("workloadSelectorTemplates[0]: 'ns-{{ .PodMeta.Namespace }}' is not of the form 'type:value'");
  });
});

describe('ClusterFederatedTrustDomain', () => {
  test('a valid relationship renders the typed CR with the class and passes the CRD schema', () => {
    const json = ftd({ trustDomainBundle: '{"keys":[]}' }).resource.toJson();
    expect(json).toEqual({
      apiVersion: 'spire.spiffe.io/v1alpha1',
      kind: 'ClusterFederatedTrustDomain',
      metadata: { name: 'cluster2' },
      spec: {
        className: 'spire-server-spire',
        trustDomain: 'cluster2',
        bundleEndpointURL: 'https://spire.cluster2.example.org:8443',
        bundleEndpointProfile: { type: 'https_spiffe', endpointSPIFFEID: 'spiffe://cluster2/spire/server' },
        trustDomainBundle: '{"keys":[]}',
      },
    });
    expect(SchemaRegistry.default().validate(json)).toEqual([]);
    const web = ftd({
      bundleEndpointProfile: BundleEndpointProfile.HTTPS_WEB,
      endpointSpiffeId: undefined,
      name: 'peer',
    }).resource.toJson();
    expect(web.spec.bundleEndpointProfile).toEqual({ type: 'https_web' });
    expect(web.metadata.name).toBe('peer');
  });

  test('trust domain pattern', () => {
    expect(errorOf(() => ftd({ trustDomain: 'Cluster2:8443' })).message).toContain(
      "trustDomain: 'Cluster2:8443' is not a valid SPIFFE trust domain name (lowercase letters, digits, '.', '-' and '_' only; no scheme, port or path)",
    );
    expect(errorOf(() => ftd({ trustDomain: 'spiffe://cluster2' })).message).toContain(
      "trustDomain: 'spiffe://cluster2' is a SPIFFE ID, not a trust domain name",
    );
    expect(errorOf(() => ftd({ trustDomain: 'my_td' })).message).toContain(
      "name: the default name (the trust domain 'my_td') is not a valid Kubernetes object name",
    );
  });

  test('https bundle endpoint URL without userinfo', () => {
    expect(errorOf(() => ftd({ bundleEndpointUrl: 'http://spire.cluster2.example.org:8443' })).message).toContain(
      "bundleEndpointUrl: 'http://spire.cluster2.example.org:8443' uses scheme 'http'; bundle endpoints must be https",
    );
    expect(errorOf(() => ftd({ bundleEndpointUrl: 'https://admin:secret@spire.cluster2.example.org' })).message).toMatch(
      /contains userinfo \(user or password\), which is not allowed\n\s+fix: remove it: 'https:\/\/spire.cluster2.example.org'/,
    );
    expect(errorOf(() => ftd({ bundleEndpointUrl: 'spire.cluster2:8443' })).message).toContain(
      "bundleEndpointUrl: 'spire.cluster2:8443' is not a URL",
    );
  });

  test('https_spiffe requires endpointSpiffeId, https_web forbids it', () => {
    expect(errorOf(() => ftd({ endpointSpiffeId: undefined })).message).toContain(
      "bundleEndpointProfile: https_spiffe needs endpointSpiffeId (the SPIFFE ID the bundle endpoint presents)\n      fix: set endpointSpiffeId, for a SPIRE server 'spiffe://cluster2/spire/server'",
    );
    expect(errorOf(() => ftd({ bundleEndpointProfile: BundleEndpointProfile.HTTPS_WEB })).message).toContain(
      "bundleEndpointProfile: https_web does not take endpointSpiffeId, got 'spiffe://cluster2/spire/server'",
    );
    expect(errorOf(() => ftd({ endpointSpiffeId: 'spiffe://cluster2/spire//server' })).message).toContain(
      "endpointSpiffeId: 'spiffe://cluster2/spire//server' is not a valid SPIFFE ID: it has an empty path segment",
    );
  });

  test('trust domain bundle must be a SPIFFE bundle', () => {
    expect(errorOf(() => ftd({ trustDomainBundle: '-----BEGIN CERTIFICATE-----' })).message).toContain(
      'trustDomainBundle: not a SPIFFE bundle',
    );
  });
});

describe('ClusterStaticEntry', () => {
  test('the GitOps form of `spire-server entry create` (Istio manual registration), typed and with the class', () => {
    const json = entry({ dnsNames: ['sleep.default.svc'], x509SvidTtl: '1h', federatesWith: ['cluster2'] }).resource.toJson();
    expect(json).toEqual({
      apiVersion: 'spire.spiffe.io/v1alpha1',
      kind: 'ClusterStaticEntry',
      metadata: { name: 'sleep' },
      spec: {
        className: 'spire-server-spire',
        spiffeID: 'spiffe://example.org/ns/default/sa/sleep',
        parentID: AGENT_ID,
        selectors: ['k8s:ns:default', 'k8s:sa:sleep'],
        dnsNames: ['sleep.default.svc'],
        x509SVIDTTL: '1h',
        federatesWith: ['cluster2'],
      },
    });
    expect(SchemaRegistry.default().validate(json)).toEqual([]);
  });

  test('SPIFFE IDs must be valid', () => {
    const e = errorOf(() => entry({ spiffeId: 'spiffe://Example.org/ns/default', parentId: 'example.org/agent' }));
    expect(e.message).toContain(
      "spiffeId: 'spiffe://Example.org/ns/default' is not a valid SPIFFE ID: trust domain 'Example.org' is not valid",
    );
    expect(e.message).toContain("parentId: 'example.org/agent' is not a valid SPIFFE ID: it must start with 'spiffe://'");
    expect(errorOf(() => entry({ spiffeId: 'spiffe://example.org' })).message).toContain(
      "spiffeId: 'spiffe://example.org' is not a valid SPIFFE ID: it has no path (a workload ID cannot be the trust domain itself)",
    );
    expect(errorOf(() => entry({ spiffeId: 'spiffe://example.org/ns/a b' })).message).toContain(
      "path segment 'a b' has characters other than",
    );
    expect(errorOf(() => entry({ spiffeId: 'spiffe://example.org/ns/../x' })).message).toContain("it has a '..' path segment");
  });

  test("selectors in 'type:value' form, at least one", () => {
    expect(errorOf(() => entry({ selectors: [] })).message).toContain(
      "selectors: empty, but an entry needs at least one selector\n      fix: add selectors such as 'k8s:ns:default' and 'k8s:sa:sleep'",
    );
    const e = errorOf(() => entry({ selectors: ['k8s:ns:default', 'sa-sleep', ':x', 'k8s:'] }));
    expect(e.message).toContain("selectors[1]: 'sa-sleep' is not of the form 'type:value'");
    expect(e.message).toContain("selectors[2]: ':x' is not of the form 'type:value'");
    expect(e.message).toContain("selectors[3]: 'k8s:' is not of the form 'type:value'");
    expect(e.message).not.toContain('selectors[0]');
  });
});
