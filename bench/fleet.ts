/** The benchmark fleet: n Solo ambient clusters, all-to-all, one trust domain, cert-manager CA (bench and tests share it). */
import { CaDelivery, IstioLicense, MeshSpec } from '../lib';

export function fleetSpec(n: number, overrides: Partial<MeshSpec> = {}): MeshSpec {
  return {
    name: 'fleet',
    istio: { license: IstioLicense.fromSecret('solo-istio-license', 'istio-system') },
    pki: { delivery: CaDelivery.certManager({ issuerName: 'mesh-root' }) },
    clusters: Array.from({ length: n }, (_, i) => ({
      name: `cluster-${String(i + 1).padStart(3, '0')}`,
      trustDomain: 'fleet.example.com',
      eastWestAddress: `10.${Math.floor(i / 250)}.${i % 250}.10`,
    })),
    ...overrides,
  };
}
