// Command-line entry points of a spiremesh app.
export { USAGE, UsageError, cliArgsOf, parseCliArgs, type CliArgs, type CliDefaults } from './args';
export { COMMANDS, type CommandSpec, type Invocation, type OptionSpec } from './commands';
export { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, PROGRAM, commandHelp, overviewHelp, packageVersion, parseCommandLine } from './parse';
export { diffPlannedWrites, formatDiff, type FieldChange, type ObjectChange } from './diff';
export { declareInventoryMesh } from './inventory';
export { runCli, synthMain, type DeclareMesh } from './main';
export { failingStatusRows, runPkiCommand, runPkiSubcommand, type PkiCommandResult } from './pki-commands';
