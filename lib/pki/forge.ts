/**
 * node-forge, loaded on first use: about 50 ms of loading that a synth without local CA material (cert-manager
 * issuing in-cluster) or one that reuses its output folder never needs. Types come from `import type`.
 */
import type * as Forge from 'node-forge';

let loaded: typeof Forge | undefined;

export function nodeForge(): typeof Forge {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('node-forge') as typeof Forge);
}
