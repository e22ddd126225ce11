import * as fs from 'fs';
import * as path from 'path';
import { SpecValidationError, SpireMesh, loadMeshSpecFile } from '../../lib';
import { errorOf, readTree, synthMesh, tempDir } from '../helpers';

const THREE_MISTAKES = `name: fleet
clusters:
  - name: east
    eastWestAddress: 192.0.2.20
  - name: West_1
    trustDomain: prod.example.com
    eastWestAddress: 192.0.2.21
links:
  - { from: east, to: west-1 }
  - { from: east, to: east }
`;

describe('YAML inventory', () => {
  test('the example inventory loads and resolves defaults and links', () => {
    const mesh = loadMeshSpecFile(path.join(__dirname, '../../examples/three-clusters.yaml'));
    expect(mesh.clusters.map((c) => c.name)).toEqual(['east', 'west', 'edge']);
    expect(mesh.cluster('edge').network).toBe('edge');
    expect(mesh.cluster('west').ztunnelSpiffeId).toBe('spiffe://prod.example.com/ns/istio-system/sa/ztunnel');
    expect(mesh.links.map((l) => `${l.from.name}->${l.to.name}`)).toEqual(['east->west', 'west->east', 'edge->west']);
  });

  test('an inventory with three mistakes gives three file- and path-qualified messages and writes nothing', () => {
    const dir = tempDir();
    const file = path.join(dir, 'mesh.yaml');
    fs.writeFileSync(file, THREE_MISTAKES);
    const outdir = path.join(dir, 'dist');
    const e = errorOf(() => synthMesh((app) => SpireMesh.fromInventoryFile(app, 'mesh', file), outdir)) as SpecValidationError;
    expect(e).toBeInstanceOf(SpecValidationError);
    expect(e.problems).toHaveLength(3);
    const lines = e.message.split('\n').filter((l) => l.startsWith(`  error [spec] ${file}`));
    expect(lines).toEqual([
      `  error [spec] ${file}:5:11 clusters[1].name: cluster name 'West_1' is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`,
      `  error [spec] ${file}:9:23 links[0].to: link to unknown cluster 'west-1'`,
      `  error [spec] ${file}:10:5 links[1]: cluster 'east' is linked to itself`,
    ]);
    expect(e.message).toContain("fix: rename the cluster, e.g. 'west-1'");
    expect(fs.existsSync(outdir)).toBe(false);
    expect(readTree(dir)).toEqual({ 'mesh.yaml': THREE_MISTAKES });
  });

  test('YAML syntax errors and unreadable files are reported with the file name', () => {
    const dir = tempDir();
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, 'name: m\nclusters:\n  - name: a\n    name: b\n');
    expect(errorOf(() => loadMeshSpecFile(file)).message).toContain(`mesh spec ${file} has 1 problem`);
    expect(errorOf(() => loadMeshSpecFile(path.join(dir, 'missing.yaml'))).message).toContain('cannot read the inventory file (ENOENT)');
  });

  test('the same mesh declared in TypeScript and YAML gets the same spec digest', () => {
    const dir = tempDir();
    const file = path.join(dir, 'mesh.yaml');
    fs.writeFileSync(file, 'name: m\nclusters:\n  - name: a\n    trustDomain: td.example\n');
    const fromYaml = synthMesh((app) => SpireMesh.fromInventoryFile(app, 'mesh', file), path.join(dir, 'y'));
    const fromTs = synthMesh({ name: 'm', clusters: [{ name: 'a', trustDomain: 'td.example' }] }, path.join(dir, 't'));
    expect(readTree(path.join(dir, 'y'))).toEqual(readTree(path.join(dir, 't')));
    expect(fromYaml.clusters).toEqual(fromTs.clusters);
  });
});
