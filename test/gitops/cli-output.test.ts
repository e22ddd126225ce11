/** The command line around the output folder: bad --out values, and errors without stack traces. */
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../lib';
import { parseCliArgs } from '../../lib/cli';
import { describeError } from '../../lib/cli/main';
import { OutputWriteError } from '../../lib/gitops/output-errors';
import { errnoError } from '../../lib/gitops/output-fs';
import { tempDir } from '../helpers';
import { runCommand } from '../run-cli';

const run = runCommand;
const nothing = () => undefined;

describe('the output folder on the command line', () => {
  test.each([['--out='], ['-o='], ['--out', ''], ['-o', '   ']])('%j is refused with a usage error', (...argv) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(/needs a value, not an empty one\nusage: spiremesh synth/);
  });

  test('--out naming an existing file is refused with a usage error, for synth and check', () => {
    const file = path.join(tempDir(), 'dist');
    fs.writeFileSync(file, 'not a folder\n');
    for (const argv of [['--out', file], [`--out=${file}`], ['check', '-o', file], ['--check', '--out', file]]) {
      const r = run(nothing, argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^spiremesh: --out '${file}' is a file; it must name a folder \\(created when missing\\)\\nrun 'spiremesh (synth|check) --help' for the flags\\n$`,
        ),
      );
      expect(r.stderr).not.toContain('    at ');
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('not a folder\n');
  });

  test('a missing --out folder is fine (synth creates it)', () => {
    const dir = path.join(tempDir(), 'new', 'dist');
    expect(parseCliArgs(['--out', dir])).toMatchObject({ outdir: dir, debug: false });
    expect(fs.existsSync(dir)).toBe(false);
  });

  test('an empty CDK8S_OUTDIR means the default, never the working directory', () => {
    const saved = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = '';
    try {
      // The project's dist/ (the nearest folder holding package.json from the working directory).
      expect(parseCliArgs([]).outdir).toBe(path.join(__dirname, '../../dist'));
    } finally {
      if (saved === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = saved;
    }
  });
});

describe('errors on the command line', () => {
  test('an unexpected error prints one line and the --debug hint; with --debug, its stack trace', () => {
    const boom = () => {
      throw new TypeError('cannot read the frobnicator\nsecond line');
    };
    const plain = run(boom, ['--out', tempDir()]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe('spiremesh: unexpected error: cannot read the frobnicator\nrun again with --debug for the stack trace\n');
    const debug = run(boom, ['--out', tempDir(), '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^spiremesh: unexpected error: TypeError: cannot read the frobnicator\nsecond line\n {4}at /);
  });

  test('a user error never prints a stack trace, with or without --debug', () => {
    const e = new OutputWriteError(
      '/srv/gitops/dist',
      errnoError('ENOSPC', 'write', '/srv/gitops/dist/.spiremesh-tmp-staging-1-ab/3.new'),
      'unchanged',
    );
    for (const debug of [false, true]) {
      const text = describeError(e, debug);
      expect(text).toBe(
        'spiremesh: the output folder could not be written; it was left as it was:\n' +
          '  error [output] /srv/gitops/dist: no space left on the device (ENOSPC, write)\n' +
          '      fix: free space on the file system that holds /srv/gitops/dist (see df -h /srv/gitops/dist), then synthesize again',
      );
    }
    const usage = run(nothing, ['--bogus', '--debug']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^spiremesh: unknown flag '--bogus'\nusage: spiremesh synth /);
    expect(usage.stderr).not.toContain('    at ');
  });
});
