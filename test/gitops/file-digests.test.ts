/** sha256OfRegularFiles: the digests of many files on several threads, equal to hashing each one here. */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sha256OfRegularFiles } from '../../lib/gitops/file-digests';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-digests-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

test('3,000 files (enough to start worker threads): every digest that of its bytes, in order', () => {
  const files: string[] = [];
  const expected: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const file = path.join(dir, `f${i}.yaml`);
    // Sizes around the read buffer (256 KiB) too, so that a file read in several chunks is hashed whole.
    const bytes = Buffer.alloc(i % 500 === 0 ? 256 * 1024 + i : 100 + (i % 37), i % 251);
    fs.writeFileSync(file, bytes);
    files.push(file);
    expected.push(sha(bytes));
  }
  expect(sha256OfRegularFiles(files)).toEqual(expected);
});

test('a link, a directory and a missing path have no digest, on one thread and on several', () => {
  const target = path.join(dir, 'target');
  fs.writeFileSync(target, 'x');
  fs.symlinkSync(target, path.join(dir, 'link'));
  fs.mkdirSync(path.join(dir, 'sub'));
  const odd = ['link', 'sub', 'missing'].map((n) => path.join(dir, n));
  expect(sha256OfRegularFiles([...odd, target])).toEqual([undefined, undefined, undefined, sha('x')]);
  const many = Array.from({ length: 2500 }, (_, i) => (i % 2 === 0 ? target : odd[i % 3]));
  expect(sha256OfRegularFiles(many)).toEqual(many.map((f) => (f === target ? sha('x') : undefined)));
});
