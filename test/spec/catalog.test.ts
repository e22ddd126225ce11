/**
 * The release catalog: versions that were never released are refused at synth with the closest
 * known release, every version the examples and defaults use is listed, and
 * `allowUnlistedVersions: true` lets a release newer than the catalog through.
 */
import * as path from 'path';
import { App } from 'cdk8s';
import {
  DEFAULT_ISTIO_VERSION,
  MeshSpecDocument,
  SPIRE_DEFAULTS,
  SUPPORTED_ISTIO_MINORS,
  SpecValidationError,
  formatSpecPath,
  loadMeshSpecFile,
  resolveMeshProps,
  resolveMeshSpec,
  toMeshSpecDocument,
  validateMeshSpec,
} from '../../lib';
import {
  GATEWAY_API_RELEASES,
  ISTIO_RELEASES,
  SPIRE_CHART_RELEASES,
  SPIRE_CRDS_CHART_RELEASES,
  SPIRE_RELEASES,
  CatalogProduct,
  closestKnownRelease,
  isKnownRelease,
  knownReleases,
  unlistedReleaseProblem,
} from '../../lib/spec/catalog';
import { gatewayApiVersionForIstioMinor } from '../../lib/versions';
import { errorOf, exampleProps, meshDocument } from '../helpers';
import { VARIANTS } from '../variants/matrix';

function doc(mutate: (d: MeshSpecDocument) => void): MeshSpecDocument {
  const d = meshDocument(2);
  mutate(d);
  return d;
}

const OVERRIDE_FIX = "if 1.29.99 is a newer release than spiremesh's catalog, set 'allowUnlistedVersions: true' at the top of the spec";

describe('release catalog data', () => {
  const lists: [CatalogProduct, readonly string[], number, string][] = [
    ['istio', ISTIO_RELEASES, 54, '1.30.3'],
    ['spire', SPIRE_RELEASES, 42, '1.15.3'],
    ['spire-chart', SPIRE_CHART_RELEASES, 60, '0.30.0'],
    ['spire-crds-chart', SPIRE_CRDS_CHART_RELEASES, 6, '0.6.0'],
    ['gateway-api', GATEWAY_API_RELEASES, 12, 'v1.6.1'],
  ];

  test.each(lists)('%s: sorted, unique, X.Y.Z releases without pre-release tags', (product, releases, count, newest) => {
    expect(knownReleases(product)).toBe(releases);
    expect(releases).toHaveLength(count);
    expect(releases[releases.length - 1]).toBe(newest);
    expect(new Set(releases).size).toBe(releases.length);
    for (const r of releases) expect(r).toMatch(product === 'gateway-api' ? /^v\d+\.\d+\.\d+$/ : /^\d+\.\d+\.\d+$/);
    const key = (v: string) =>
      v
        .replace(/^v/, '')
        .split('.')
        .map((n) => n.padStart(4, '0'))
        .join('.');
    expect([...releases].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(releases);
  });

  test('istio: every minor from 1.24 to 1.30 starts at .0 with consecutive patches; 1.31 has no release yet', () => {
    for (let minor = SUPPORTED_ISTIO_MINORS.min; minor <= SUPPORTED_ISTIO_MINORS.max; minor++) {
      const patches = ISTIO_RELEASES.filter((r) => r.startsWith(`1.${minor}.`)).map((r) => Number(r.split('.')[2]));
      if (minor === 31) expect(patches).toEqual([]);
      else expect(patches).toEqual(patches.map((_, i) => i));
    }
    expect(ISTIO_RELEASES.every((r) => Number(r.split('.')[1]) >= SUPPORTED_ISTIO_MINORS.min)).toBe(true);
  });

  test('the pinned defaults are releases the catalog knows', () => {
    expect(isKnownRelease('istio', DEFAULT_ISTIO_VERSION)).toBe(true);
    expect(isKnownRelease('spire', SPIRE_DEFAULTS.spireVersion)).toBe(true);
    expect(isKnownRelease('spire-chart', SPIRE_DEFAULTS.chartVersion)).toBe(true);
    expect(isKnownRelease('spire-crds-chart', SPIRE_DEFAULTS.crdsChartVersion)).toBe(true);
  });

  test('the Gateway API release of every Istio minor is a release the catalog knows', () => {
    for (let minor = SUPPORTED_ISTIO_MINORS.min; minor <= SUPPORTED_ISTIO_MINORS.max; minor++) {
      expect(`1.${minor}: ${isKnownRelease('gateway-api', gatewayApiVersionForIstioMinor(minor))}`).toBe(`1.${minor}: true`);
    }
  });

  test('lookups are exact: no -solo suffix, no v prefix, no pre-release', () => {
    expect(isKnownRelease('istio', '1.29.1-solo')).toBe(false);
    expect(isKnownRelease('istio', '1.31.0-rc.0')).toBe(false);
    expect(isKnownRelease('spire', 'v1.11.2')).toBe(false);
    expect(isKnownRelease('gateway-api', '1.4.0')).toBe(false);
    expect(isKnownRelease('gateway-api', 'v1.4.0')).toBe(true);
  });

  test.each([
    ['istio', '1.29.99', '1.29.6'],
    ['istio', '1.28.3', '1.28.3'],
    ['istio', '1.31.0', '1.30.3'],
    ['istio', '1.29.0-rc.1', '1.29.0'],
    ['spire', '7.7.7', '1.15.3'],
    ['spire', '1.8.11', '1.9.0'],
    ['spire', 'v1.11.2', '1.11.2'],
    ['spire-chart', '9.9.9', '0.30.0'],
    ['spire-chart', '0.24.9', '0.24.5'],
    ['spire-crds-chart', '9.9.9', '0.6.0'],
    ['spire-crds-chart', '0.1.0', '0.0.1'],
  ] as const)('closest %s release to %s is %s', (product, version, closest) => {
    expect(closestKnownRelease(product, version)).toBe(closest);
  });

  test('a known release has no problem', () => {
    expect(unlistedReleaseProblem('istio', '1.29.1')).toBeUndefined();
  });
});

describe('spec versions are checked against the catalog', () => {
  test('istio 1.29.99 is refused, naming the 1.29 releases, the closest one and the override', () => {
    const found = validateMeshSpec(doc((d) => (d.istio = { ...d.istio, version: '1.29.99' })));
    expect(found).toEqual([
      {
        path: ['istio', 'version'],
        message: 'istio 1.29.99 is not a release spiremesh knows (1.29 has 1.29.0 to 1.29.6)',
        fix: `use 1.29.6, the closest release spiremesh knows; ${OVERRIDE_FIX}`,
      },
    ]);
  });

  test("a cluster's own istioVersion is checked too", () => {
    const found = validateMeshSpec(doc((d) => (d.clusters[1].istioVersion = '1.30.7')));
    expect(found.map((p) => `${formatSpecPath(p.path)}: ${p.message}`)).toEqual([
      'clusters[1].istioVersion: istio 1.30.7 is not a release spiremesh knows (1.30 has 1.30.0 to 1.30.3)',
    ]);
    expect(found[0].fix).toContain('use 1.30.3, the closest release spiremesh knows');
    expect(validateMeshSpec(doc((d) => (d.clusters[1].istioVersion = '1.30.3')))).toEqual([]);
  });

  test('istio 1.31 (pre-releases only) and pre-release tags are refused', () => {
    expect(validateMeshSpec(doc((d) => (d.istio = { ...d.istio, version: '1.31.0' })))).toEqual([
      {
        path: ['istio', 'version'],
        message: 'istio 1.31.0 is not a release spiremesh knows (it knows no 1.31 release, only 1.24.0 to 1.30.3)',
        fix: "use 1.30.3, the closest release spiremesh knows; if 1.31.0 is a newer release than spiremesh's catalog, set 'allowUnlistedVersions: true' at the top of the spec",
      },
    ]);
    expect(validateMeshSpec(doc((d) => (d.istio = { ...d.istio, version: '1.29.0-rc.1' })))[0].message).toBe(
      'istio 1.29.0-rc.1 is not a release spiremesh knows (1.29 has 1.29.0 to 1.29.6)',
    );
  });

  test('SPIRE 7.7.7, spire chart 9.9.9 and spire-crds chart 9.9.9 are refused with their messages', () => {
    const found = validateMeshSpec(doc((d) => (d.spire = { version: '7.7.7', chartVersion: '9.9.9', crdsChartVersion: '9.9.9' })));
    const override = (v: string) =>
      `if ${v} is a newer release than spiremesh's catalog, set 'allowUnlistedVersions: true' at the top of the spec`;
    expect(found).toEqual([
      {
        path: ['spire', 'chartVersion'],
        message: 'spire chart 9.9.9 is not a release spiremesh knows (it knows no 9.9 release, only 0.1.0 to 0.30.0)',
        fix: `use 0.30.0, the closest release spiremesh knows; ${override('9.9.9')}`,
      },
      {
        path: ['spire', 'crdsChartVersion'],
        message: 'spire-crds chart 9.9.9 is not a release spiremesh knows (it knows no 9.9 release, only 0.0.1 to 0.6.0)',
        fix: `use 0.6.0, the closest release spiremesh knows; ${override('9.9.9')}`,
      },
      {
        path: ['spire', 'version'],
        message: 'spire 7.7.7 is not a release spiremesh knows (it knows no 7.7 release, only 1.9.0 to 1.15.3)',
        fix: `use 1.15.3, the closest release spiremesh knows; ${override('7.7.7')}`,
      },
    ]);
  });

  test('an unreleased patch of a known chart minor names that minor’s releases', () => {
    expect(validateMeshSpec(doc((d) => (d.spire = { chartVersion: '0.24.9', version: '1.11.9' }))).map((p) => p.message)).toEqual([
      'spire chart 0.24.9 is not a release spiremesh knows (0.24 has 0.24.0 to 0.24.5)',
      'spire 1.11.9 is not a release spiremesh knows (1.11 has 1.11.0 to 1.11.3)',
    ]);
    expect(validateMeshSpec(doc((d) => (d.spire = { crdsChartVersion: '0.5.1' })))[0].message).toBe(
      'spire-crds chart 0.5.1 is not a release spiremesh knows (0.5 has only 0.5.0)',
    );
  });

  test('a version that fails the syntax check reports only that', () => {
    expect(validateMeshSpec(doc((d) => (d.spire = { version: '1.11' }))).map((p) => p.message)).toEqual([
      "'1.11' is not a version of the form X.Y.Z",
    ]);
    expect(validateMeshSpec(doc((d) => (d.istio = { ...d.istio, version: '1.29' }))).map((p) => p.message)).toEqual([
      "istio version '1.29' is not a version of the form X.Y.Z",
    ]);
  });

  test('the whole spec error names each unlisted version once', () => {
    const e = errorOf(() =>
      resolveMeshSpec(
        doc((d) => {
          d.istio = { ...d.istio, version: '1.29.99' };
          d.spire = { version: '7.7.7' };
        }),
        'mesh.yaml',
      ),
    );
    expect(e).toBeInstanceOf(SpecValidationError);
    expect((e as SpecValidationError).problems.map((p) => formatSpecPath(p.path))).toEqual(['istio.version', 'spire.version']);
  });
});

describe('versions the examples and tests use are accepted', () => {
  test('the example mesh of main.ts and the test documents', () => {
    expect(validateMeshSpec(toMeshSpecDocument(exampleProps()))).toEqual([]);
    expect(validateMeshSpec(meshDocument(6))).toEqual([]);
  });

  test('examples/three-clusters.yaml', () => {
    expect(() => loadMeshSpecFile(path.join(__dirname, '../../examples/three-clusters.yaml'))).not.toThrow();
  });

  test.each(VARIANTS.map((v) => [v.name, v] as const))('committed variant %s', (_name, variant) => {
    expect(() => variant.declare(new App())).not.toThrow();
  });

  test.each([
    ['istio', '1.28.2'],
    ['istio', '1.27.0'],
    ['spire', '1.11.3'],
    ['spire-chart', '0.24.2'],
    ['spire-crds-chart', '0.5.0'],
  ] as const)('%s %s (used by other tests)', (product, version) => {
    expect(isKnownRelease(product, version)).toBe(true);
  });
});

describe('allowUnlistedVersions', () => {
  test('accepts istio 1.29.99 and unlisted SPIRE versions, in documents and typed props', () => {
    const unlisted = doc((d) => {
      d.allowUnlistedVersions = true;
      d.istio = { ...d.istio, version: '1.29.99' };
      d.clusters[1].istioVersion = '1.31.0';
      d.spire = { version: '7.7.7', chartVersion: '9.9.9', crdsChartVersion: '9.9.9' };
    });
    expect(validateMeshSpec(unlisted)).toEqual([]);
    const model = resolveMeshProps(
      {
        ...exampleProps(),
        istio: { ...exampleProps().istio, version: '1.29.99' },
        allowUnlistedVersions: true,
      },
      'catalog.test.ts',
    );
    expect(model.clusters[0].istio.tag).toBe('1.29.99-solo');
    expect(model.document.allowUnlistedVersions).toBe(true);
  });

  test('false (the default) still refuses', () => {
    const found = validateMeshSpec(
      doc((d) => {
        d.allowUnlistedVersions = false;
        d.istio = { ...d.istio, version: '1.29.99' };
      }),
    );
    expect(found.map((p) => formatSpecPath(p.path))).toEqual(['istio.version']);
  });

  test('the syntax checks and the known Istio minors stay', () => {
    const found = validateMeshSpec(
      doc((d) => {
        d.allowUnlistedVersions = true;
        d.istio = { ...d.istio, version: '1.32.0' };
        d.spire = { version: 'latest' };
      }),
    );
    expect(found.map((p) => `${formatSpecPath(p.path)}: ${p.message}`)).toEqual([
      'istio.version: istio 1.32.0 is outside the versions spiremesh knows (1.24 to 1.31)',
      "spire.version: 'latest' is not a version of the form X.Y.Z",
    ]);
    expect(validateMeshSpec(doc((d) => ((d as any).allowUnlistedVersions = 'yes')))).toEqual([
      { path: ['allowUnlistedVersions'], message: 'must be of type boolean', fix: 'write a boolean here' },
    ]);
  });

  test('a spec without the field keeps its document unchanged (the spec digest of existing meshes)', () => {
    expect(Object.keys(toMeshSpecDocument(exampleProps()))).not.toContain('allowUnlistedVersions');
  });
});
