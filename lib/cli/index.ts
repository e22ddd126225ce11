export * from './synth-main';
