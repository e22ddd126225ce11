// The spec's `gitops` section and `clusters[].argoCdDestination`: defaults, the YAML round trip, and every refusal with its fix.
import {
  ArgoCdTopology,
  ChartDelivery,
  GitOpsEngine,
  formatSpecPath,
  resolveMeshProps,
  toMeshSpecDocument,
  validateMeshSpec,
  type MeshSpec,
} from '../../lib';
import { meshPropsFromDocument } from '../../lib/spec';
import { exampleProps } from '../helpers';

const REPO = 'https://github.com/example/fleet.git';

function withGitops(
  gitops: MeshSpec['gitops'],
  destinations?: ({ server?: string; name?: string } | undefined)[],
  base = exampleProps(),
): MeshSpec {
  return {
    ...base,
    gitops,
    clusters: base.clusters.map((c, i) => ({ ...c, ...(destinations?.[i] ? { argoCdDestination: destinations[i] } : {}) })),
  };
}

function problems(spec: MeshSpec): { at: string; message: string; fix: string }[] {
  return validateMeshSpec(toMeshSpecDocument(spec)).map((p) => ({ at: formatSpecPath(p.path), message: p.message, fix: p.fix }));
}

describe('gitops spec', () => {
  test('defaults: revision main, path prefix dist, Argo CD in each cluster (or Flux with flux delivery)', () => {
    const model = resolveMeshProps(withGitops({ repository: REPO }), 'test');
    expect(model.gitops).toMatchObject({ repository: REPO, revision: 'main', pathPrefix: 'dist', engine: GitOpsEngine.ARGO_CD });
    expect(model.gitops?.argoCdTopology).toBe(ArgoCdTopology.IN_CLUSTER);
    expect(model.gitops?.repositoryPath('cluster1')).toBe('dist/cluster1');
    expect(model.gitops?.argoCdApplicationName('cluster1', 'istiod')).toBe('istiod');
    const flux = resolveMeshProps(
      withGitops({ repository: REPO }, undefined, { ...exampleProps(), chartDelivery: ChartDelivery.flux() }),
      'test',
    );
    expect(flux.gitops?.engine).toBe(GitOpsEngine.FLUX);
    expect(resolveMeshProps(withGitops({ repository: REPO, pathPrefix: '.' }), 'test').gitops?.repositoryPath('c')).toBe('c');
    expect(resolveMeshProps(exampleProps(), 'test').gitops).toBeUndefined();
  });

  test('hub: each cluster has its destination and prefixed Application names; the YAML form round-trips', () => {
    const spec = withGitops({ repository: REPO, revision: 'release-1', pathPrefix: 'out/mesh', argoCdTopology: ArgoCdTopology.HUB }, [
      { server: 'https://192.0.2.100:6443' },
      { name: 'cluster2-prod' },
    ]);
    expect(problems(spec)).toEqual([]);
    const model = resolveMeshProps(spec, 'test');
    expect(model.gitops?.isArgoCdHub).toBe(true);
    expect(model.clusters.map((c) => c.argoCdDestination)).toEqual([{ server: 'https://192.0.2.100:6443' }, { name: 'cluster2-prod' }]);
    expect(model.gitops?.argoCdApplicationName('cluster1', 'istiod')).toBe('cluster1-istiod');
    const doc = toMeshSpecDocument(spec);
    expect(doc.gitops).toEqual({ repository: REPO, revision: 'release-1', pathPrefix: 'out/mesh', argoCdTopology: 'hub' });
    expect(doc.clusters[1].argoCdDestination).toEqual({ name: 'cluster2-prod' });
    expect(toMeshSpecDocument(meshPropsFromDocument(doc))).toEqual(doc);
  });

  test('repository URLs: https, ssh:// and scp-like are accepted; http, git and file are refused with the fix', () => {
    for (const ok of [
      REPO,
      'ssh://git@github.com/example/fleet.git',
      'ssh://git@gitlab.example.com:2222/g/fleet',
      'git@github.com:example/fleet.git',
    ]) {
      expect(problems(withGitops({ repository: ok }))).toEqual([]);
    }
    for (const [url, scheme] of [
      ['http://github.com/example/fleet.git', 'http'],
      ['git://github.com/example/fleet.git', 'git'],
      ['file:///srv/git/fleet', 'file'],
    ]) {
      expect(problems(withGitops({ repository: url }))).toEqual([
        expect.objectContaining({
          at: 'gitops.repository',
          message: expect.stringContaining(`uses ${scheme}://`),
          fix: expect.stringContaining('https URL'),
        }),
      ]);
    }
    expect(problems(withGitops({ repository: 'github.com/example/fleet' }))[0]).toMatchObject({
      at: 'gitops.repository',
      message: expect.stringContaining('neither an https://'),
    });
  });

  test('a hub Argo CD needs one destination per cluster, each its own, and exactly one of server and name', () => {
    const hub = { repository: REPO, argoCdTopology: ArgoCdTopology.HUB };
    expect(problems(withGitops(hub, [{ server: 'https://192.0.2.100:6443' }]))).toEqual([
      {
        at: 'clusters[1].argoCdDestination',
        message: "cluster 'cluster2' has no argoCdDestination, but a hub Argo CD needs to know which of its clusters is 'cluster2'",
        fix: expect.stringContaining('set clusters[1].argoCdDestination.server'),
      },
    ]);
    expect(problems(withGitops(hub, [{ server: 'https://192.0.2.100:6443' }, { server: 'https://192.0.2.100:6443/' }]))).toEqual([
      expect.objectContaining({
        at: 'clusters[1].argoCdDestination',
        message: expect.stringContaining("is also the destination of cluster 'cluster1'"),
        fix: 'give every cluster the server or name of its own Argo CD cluster',
      }),
    ]);
    expect(problems(withGitops(hub, [{ name: 'a' }, { name: 'a' }]))[0].message).toContain(
      "argoCdDestination name a of cluster 'cluster2'",
    );
    expect(problems(withGitops(hub, [{ server: 'https://192.0.2.100:6443', name: 'a' }, { name: 'b' }]))[0]).toMatchObject({
      at: 'clusters[0].argoCdDestination',
      message: expect.stringContaining('both server and name'),
    });
    expect(problems(withGitops(hub, [{ server: 'http://192.0.2.100:6443' }, { name: 'b' }]))[0]).toMatchObject({
      at: 'clusters[0].argoCdDestination.server',
      message: "API server 'http://192.0.2.100:6443' is not an https:// URL",
    });
  });

  test('a destination that nothing reads is refused', () => {
    expect(
      problems({ ...exampleProps(), clusters: exampleProps().clusters.map((c) => ({ ...c, argoCdDestination: { name: 'x' } })) })[0],
    ).toMatchObject({
      at: 'clusters[0].argoCdDestination',
      message: expect.stringContaining('has no gitops section'),
    });
    expect(problems(withGitops({ repository: REPO }, [{ name: 'x' }]))[0]).toMatchObject({
      at: 'clusters[0].argoCdDestination',
      message: expect.stringContaining('an in-cluster Argo CD deploys to https://kubernetes.default.svc'),
      fix: "remove argoCdDestination, or set gitops.argoCdTopology to 'hub'",
    });
  });

  test('engine and chart delivery must fit; the topology and secretName belong to one engine', () => {
    expect(problems(withGitops({ repository: REPO, engine: GitOpsEngine.FLUX }))[0]).toMatchObject({
      at: 'gitops.engine',
      fix: "set gitops.engine to 'argocd', or chartDelivery.mode to 'flux'",
    });
    const fluxBase = { ...exampleProps(), chartDelivery: ChartDelivery.flux() };
    expect(problems(withGitops({ repository: REPO, engine: GitOpsEngine.ARGO_CD }, undefined, fluxBase))[0]).toMatchObject({
      at: 'gitops.engine',
      fix: "set gitops.engine to 'flux', or chartDelivery.mode to 'argocd'",
    });
    expect(problems(withGitops({ repository: REPO, argoCdTopology: ArgoCdTopology.HUB }, undefined, fluxBase))).toContainEqual(
      expect.objectContaining({ at: 'gitops.argoCdTopology', message: expect.stringContaining("not to the 'flux' engine") }),
    );
    expect(problems(withGitops({ repository: REPO, secretName: 'git' }))[0]).toMatchObject({
      at: 'gitops.secretName',
      fix: expect.stringContaining('argocd repo add https://github.com/example/fleet.git'),
    });
    // Flux clones ssh only with a key, and its CRD takes no scp-like URL.
    expect(problems(withGitops({ repository: 'ssh://git@github.com/example/fleet.git' }, undefined, fluxBase))[0]).toMatchObject({
      at: 'gitops.secretName',
      fix: expect.stringContaining('flux create secret git spiremesh-git --url=ssh://git@github.com/example/fleet.git'),
    });
    expect(
      problems(withGitops({ repository: 'git@github.com:example/fleet.git', secretName: 'git' }, undefined, fluxBase))[0],
    ).toMatchObject({
      at: 'gitops.repository',
      fix: 'write it as ssh://git@github.com/example/fleet.git',
    });
    expect(problems(withGitops({ repository: 'ssh://git@github.com/example/fleet.git', secretName: 'git' }, undefined, fluxBase))).toEqual(
      [],
    );
  });

  test('revision and path prefix must be a git ref and a folder inside the repository', () => {
    expect(problems(withGitops({ repository: REPO, revision: 'my branch' }))[0]).toMatchObject({
      at: 'gitops.revision',
      message: "revision 'my branch' is not a valid git branch, tag or commit name (git check-ref-format)",
    });
    for (const prefix of ['../dist', '/dist', 'a//b', 'a/./b']) {
      expect(problems(withGitops({ repository: REPO, pathPrefix: prefix }))[0]).toMatchObject({
        at: 'gitops.pathPrefix',
        message: expect.stringContaining(`path prefix '${prefix}'`),
      });
    }
    expect(problems(withGitops({ repository: REPO, pathPrefix: 'clusters/prod/' }))).toEqual([]);
  });

  test('YAML: unknown gitops fields and topologies are schema errors', () => {
    const doc: any = { ...toMeshSpecDocument(withGitops({ repository: REPO })), gitops: { repository: REPO, topology: 'hub' } };
    expect(validateMeshSpec(doc)).toContainEqual(
      expect.objectContaining({ path: ['gitops', 'topology'], message: "unknown field 'topology'" }),
    );
    const bad: any = { ...toMeshSpecDocument(withGitops({ repository: REPO })), gitops: { repository: REPO, argoCdTopology: 'central' } };
    expect(validateMeshSpec(bad)).toContainEqual(
      expect.objectContaining({ path: ['gitops', 'argoCdTopology'], fix: 'use one of: in-cluster, hub' }),
    );
    const missing: any = { ...toMeshSpecDocument(exampleProps()), gitops: {} };
    expect(validateMeshSpec(missing)).toContainEqual(
      expect.objectContaining({ path: ['gitops', 'repository'], message: 'required field is missing' }),
    );
  });
});
