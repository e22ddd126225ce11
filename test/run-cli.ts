import { runCli } from '../lib';

/** Runs the CLI (`runCli`) in-process and captures what it prints. */
export function runCommand(declare: Parameters<typeof runCli>[0], argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    return { code: runCli(declare, argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
