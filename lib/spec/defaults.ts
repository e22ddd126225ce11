/**
 * Every default of the spec that names a place or an object, defined once: the model applies
 * them, the props document them, and commands that run without a model (the CLI) read them here.
 */

/** Git-ignored folder of the CA private keys (`pki.keyDirectory`). */
export const DEFAULT_KEY_DIRECTORY = '.spiremesh/keys';
/** Committed folder of the public CA certificates (`pki.certificateDirectory`). */
export const DEFAULT_CERTIFICATE_DIRECTORY = 'pki';
/** Git-ignored folder of the kubectl-delivery Secret manifests (`pki.delivery.outputDirectory`). */
export const DEFAULT_SECRETS_DIRECTORY = '.spiremesh/secrets';
/** Git-ignored folder of the chart archives that helm-template mode renders (`chartDelivery.chartCacheDirectory`). */
export const DEFAULT_CHART_CACHE_DIRECTORY = '.spiremesh/charts';
/** The helm binary of helm-template mode, looked up on PATH (`chartDelivery.helmExecutable`). */
export const DEFAULT_HELM_EXECUTABLE = 'helm';
/** Namespace of the Argo CD Applications: the namespace Argo CD's install manifests use. */
export const DEFAULT_ARGO_CD_NAMESPACE = 'argocd';
/** Argo CD project of the Applications: the project every Argo CD install has. */
export const DEFAULT_ARGO_CD_PROJECT = 'default';
/** Prefix of the External Secrets remote keys: `<prefix>/<cluster>/<secret>` (`pki.delivery.remoteKeyPrefix`). */
export function defaultRemoteKeyPrefix(meshName: string): string {
  return `spiremesh/${meshName}`;
}
