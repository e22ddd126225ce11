// The helm-template render cache (lib/delivery/helm-render.ts), with the real helm and the real gateway 1.29.1
// chart archive: a release with unchanged inputs is taken from the cache (helm is not run: a missing binary with
// the same version still renders), every input is part of the key, a damaged entry is rendered again, and the
// objects equal what helm prints without a cache.
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { HelmRenderRequest, renderHelmRelease } from '../../lib/delivery/helm-render';
import { verifyHelmExecutable } from '../../lib/delivery/helm-executable';
import { tempDir } from '../helpers';
import { helmBinary } from '../variants/harness';

const archive = path.join(__dirname, '../../../shared/charts/gateway-1.29.1.tgz');

function request(cacheDirectory: string | undefined, overrides: Partial<HelmRenderRequest> = {}): HelmRenderRequest {
  const helm = verifyHelmExecutable(helmBinary(), process.cwd());
  expect(helm.problem).toBeUndefined();
  return {
    helm: { path: helm.path, version: helm.version! },
    archive,
    releaseName: 'istio-ingressgateway',
    namespace: 'istio-ingress',
    values: { service: { type: 'ClusterIP' } },
    flags: ['--kube-version', '1.30.0'],
    cacheDirectory,
    ...overrides,
  };
}

const objectsOf = (r: HelmRenderRequest) => renderHelmRelease(new Chart(new App(), 'c'), 'Resource', r).apiObjects.map((o) => o.toJson());
const entries = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('helm-template render cache', () => {
  test('the archive is there (a missing one fails the suite)', () => {
    expect(fs.existsSync(archive)).toBe(true);
  });

  test('a render is stored once, under a self-ignoring folder, and equals the render without a cache', () => {
    const dir = path.join(tempDir(), 'cache');
    const uncached = objectsOf(request(undefined));
    expect(uncached.map((o) => o.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service']));
    expect(objectsOf(request(dir))).toEqual(uncached);
    expect(entries(dir)).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    // Unchanged inputs: helm is not run (a binary that does not exist, reporting the same version, still renders).
    expect(objectsOf(request(dir, { helm: { path: path.join(dir, 'no-such-helm'), version: request(dir).helm.version } }))).toEqual(
      uncached,
    );
    expect(entries(dir)).toHaveLength(1);
  });

  test('every input is part of the key: values, release name, namespace, flags, helm version', () => {
    const dir = path.join(tempDir(), 'cache');
    const missingHelm = (r: HelmRenderRequest) => ({ ...r, helm: { path: path.join(dir, 'no-such-helm'), version: r.helm.version } });
    objectsOf(request(dir));
    const variants: Partial<HelmRenderRequest>[] = [
      { values: { service: { type: 'NodePort' } } },
      { releaseName: 'other' },
      { namespace: 'elsewhere' },
      { flags: ['--kube-version', '1.29.0'] },
    ];
    for (const v of variants) {
      // Not in the cache: rendering needs helm, so the missing binary fails.
      expect(() => objectsOf(missingHelm(request(dir, v)))).toThrow();
      objectsOf(request(dir, v));
    }
    expect(entries(dir)).toHaveLength(1 + variants.length);
    expect(() => objectsOf(missingHelm({ ...request(dir), helm: { path: 'x', version: 'v9.9.9' } }))).toThrow();
  });

  test('a damaged entry is rendered again and repaired; an unreadable one is rendered again', () => {
    const dir = path.join(tempDir(), 'cache');
    const good = objectsOf(request(dir));
    const [entry] = entries(dir);
    const file = path.join(dir, entry);
    const intact = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, intact.replace('istio-ingressgateway', 'tampered'));
    expect(objectsOf(request(dir))).toEqual(good);
    expect(fs.readFileSync(file, 'utf8')).toBe(intact);
    // A folder where the entry should be: rendered by helm all the same (the entry cannot be stored either).
    fs.rmSync(file);
    fs.mkdirSync(file);
    expect(objectsOf(request(dir))).toEqual(good);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
