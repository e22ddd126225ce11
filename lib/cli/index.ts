// Command-line entry points of a spiremesh app.
export { USAGE, UsageError, parseCliArgs, type CliArgs, type CliDefaults } from './args';
export { runCli, synthMain, type DeclareMesh } from './main';
export { runPkiCommand } from './pki-commands';
