/**
 * Semantic rules of the spec sections added for sidecar meshes and federation: ingress
 * gateways, istio-cni, the SPIRE bundle endpoint address, federation relations and the
 * durations they depend on. Called by `validateMeshSpec` after the schema passed its shape.
 */
import { DataplaneMode, IssuerKind } from './choices';
import { DEFAULT_INGRESS_NAMESPACE, GATEWAY_STATUS_PORT } from './defaults';
import { MeshSpecDocument } from './document';
import { SpecPath, SpecProblem } from './errors';
import { addressProblem, dns1123LabelProblem, goDurationProblem, goDurationSeconds, suggestDns1123Label } from './syntax';

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** Ingress gateways, istio-cni and bundle endpoint addresses of every cluster. */
export function clusterTopologyProblems(doc: Partial<MeshSpecDocument>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const add = (path: SpecPath, message: string, fix: string) => problems.push({ path, message, fix });
  const clusters = Array.isArray(doc.clusters) ? doc.clusters : [];
  clusters.forEach((c, i) => {
    if (!c || typeof c !== 'object') return;
    const ambient = (c.dataplaneMode ?? DataplaneMode.AMBIENT.value) === DataplaneMode.AMBIENT.value;
    if (ambient && c.istioCni === false) {
      add(
        ['clusters', i, 'istioCni'],
        'ambient clusters need istio-cni: its node agent redirects pod traffic to ztunnel (https://istio.io/latest/docs/ambient/architecture/)',
        "remove istioCni, or set dataplaneMode to 'sidecar'",
      );
    }
    if (str(c.spireBundleEndpointAddress)) {
      const p = addressProblem(c.spireBundleEndpointAddress);
      if (p)
        add(
          ['clusters', i, 'spireBundleEndpointAddress'],
          `SPIRE bundle endpoint address ${p}`,
          'use the load balancer IP or DNS name of the spire-server-federation Service, without scheme or port',
        );
    }
    const seen = new Map<string, number>();
    (Array.isArray(c.ingressGateways) ? c.ingressGateways : []).forEach((g, j) => {
      if (!g || typeof g !== 'object') return;
      const at = (field?: string | number, ...rest: (string | number)[]): SpecPath => [
        'clusters',
        i,
        'ingressGateways',
        j,
        ...(field === undefined ? [] : [field]),
        ...rest,
      ];
      for (const field of ['name', 'namespace'] as const) {
        const v = g[field];
        const p = str(v) ? dns1123LabelProblem(v) : undefined;
        if (str(v) && p) add(at(field), `ingress gateway ${field} ${p}`, `use a name such as '${suggestDns1123Label(v)}'`);
      }
      // Each gateway is a Helm release named after it, and Helm refuses release names over 53 characters
      // (helm/helm pkg/chartutil/validate_name.go, `maxReleaseNameLen`).
      if (str(g.name) && g.name.length > 53)
        add(
          at('name'),
          `ingress gateway name '${g.name}' is longer than 53 characters, the longest Helm release name`,
          'use a shorter name',
        );
      if (str(g.name)) {
        const key = `${g.namespace ?? DEFAULT_INGRESS_NAMESPACE}/${g.name}`;
        const first = seen.get(key);
        if (first !== undefined)
          add(at('name'), `ingress gateway '${key}' is already declared at ingressGateways[${first}]`, 'give every gateway its own name');
        else seen.set(key, j);
      }
      const names = new Map<string, number>();
      const ports = new Map<number, number>();
      (Array.isArray(g.ports) ? g.ports : []).forEach((p, k) => {
        if (!p || typeof p !== 'object') return;
        if (str(p.name)) {
          const nameProblem = dns1123LabelProblem(p.name);
          if (nameProblem) add(at('ports', k, 'name'), `port name ${nameProblem}`, "use a name such as 'https' or 'http2-web'");
          if (names.has(p.name)) add(at('ports', k, 'name'), `port name '${p.name}' is used twice`, 'give every port its own name');
          names.set(p.name, k);
        }
        if (typeof p.port === 'number') {
          if (p.port === GATEWAY_STATUS_PORT.port && p.name !== GATEWAY_STATUS_PORT.name)
            add(
              at('ports', k, 'port'),
              `port ${p.port} is the gateway's ${GATEWAY_STATUS_PORT.name}`,
              'use another port; status-port is always added',
            );
          if (ports.has(p.port)) add(at('ports', k, 'port'), `port ${p.port} is used twice`, 'give every Service port its own number');
          ports.set(p.port, k);
        }
      });
    });
  });
  return problems;
}

/** Federation relations and the durations of SPIRE, the bundle endpoint and cert-manager. */
export function federationProblems(doc: Partial<MeshSpecDocument>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const add = (path: SpecPath, message: string, fix: string) => problems.push({ path, message, fix });
  const duration = (path: SpecPath, value: unknown) => {
    const p = str(value) ? goDurationProblem(value) : undefined;
    if (p) add(path, p, 'SPIRE and cert-manager read Go durations (time.ParseDuration)');
    return str(value) && !p ? goDurationSeconds(value) : undefined;
  };
  duration(['spire', 'caTtl'], doc.spire?.caTtl);
  const delivery = doc.pki?.delivery;
  if (delivery && typeof delivery === 'object') {
    const lifetime = duration(['pki', 'delivery', 'istiodCaDuration'], delivery.istiodCaDuration);
    const renew = duration(['pki', 'delivery', 'istiodCaRenewBefore'], delivery.istiodCaRenewBefore);
    // cert-manager's webhook refuses a duration under 1h and a renewBefore under 5m
    // (ValidateDuration in cert-manager internal/apis/certmanager/validation/certificate.go).
    if (lifetime !== undefined && lifetime < 3600)
      add(
        ['pki', 'delivery', 'istiodCaDuration'],
        `duration ${delivery.istiodCaDuration} is under 1h, which cert-manager refuses`,
        "use '1h' or more (seed 002 uses '720h')",
      );
    if (renew !== undefined && renew < 300)
      add(
        ['pki', 'delivery', 'istiodCaRenewBefore'],
        `renewBefore ${delivery.istiodCaRenewBefore} is under 5m, which cert-manager refuses`,
        "use '5m' or more",
      );
    if (lifetime !== undefined && renew !== undefined && renew >= lifetime)
      add(
        ['pki', 'delivery', 'istiodCaRenewBefore'],
        `renewBefore ${delivery.istiodCaRenewBefore} is not shorter than the duration ${delivery.istiodCaDuration}; cert-manager would renew at once, forever`,
        'set istiodCaRenewBefore to a fraction of istiodCaDuration (a third or less)',
      );
    if (str(delivery.rootSecretStore) && delivery.issuerKind === IssuerKind.ISSUER.value)
      add(
        ['pki', 'delivery', 'issuerKind'],
        'an issuer built from the mesh root (rootSecretStore) is a ClusterIssuer: SPIRE (namespace spire-server) and istiod (istio-system) both use it',
        'remove issuerKind, or remove rootSecretStore and name your own Issuer',
      );
  }
  const federation = doc.federation;
  if (!federation || typeof federation !== 'object') return problems;
  duration(['federation', 'bundleRefreshHint'], federation.bundleRefreshHint);
  const clusters = Array.isArray(doc.clusters) ? doc.clusters : [];
  const domains = [...new Set(clusters.flatMap((c) => (c && str(c.name) ? [str(c.trustDomain) ? c.trustDomain : c.name] : [])))];
  if (domains.length < 2) {
    add(
      ['federation'],
      `federation needs at least two trust domains; the mesh has ${domains.length === 0 ? 'none' : `only '${domains[0]}'`}`,
      'give the clusters their own trustDomain, or remove federation (clusters of one trust domain share its root)',
    );
  }
  const seen = new Map<string, number>();
  (Array.isArray(federation.relations) ? federation.relations : []).forEach((r, i) => {
    if (!r || typeof r !== 'object') return;
    for (const end of ['trustDomain', 'federatesWith'] as const) {
      const v = r[end];
      if (str(v) && !domains.includes(v))
        add(['federation', 'relations', i, end], `'${v}' is not the trust domain of any cluster`, `use one of ${domains.join(', ')}`);
    }
    if (str(r.trustDomain) && r.trustDomain === r.federatesWith)
      add(
        ['federation', 'relations', i],
        `trust domain '${r.trustDomain}' federates with itself`,
        'remove the relation: a trust domain trusts its own bundle',
      );
    const key = `${r.trustDomain}->${r.federatesWith}`;
    if (seen.has(key))
      add(
        ['federation', 'relations', i],
        `relation ${r.trustDomain} -> ${r.federatesWith} duplicates relations[${seen.get(key)}]`,
        'remove the duplicate',
      );
    seen.set(key, i);
  });
  return problems;
}
