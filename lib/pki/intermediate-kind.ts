/** Identifier of an intermediate kind, used in status rows and file names. */
export type IntermediateKindId = 'spire' | 'istio';

/**
 * The two per-cluster intermediates under the mesh root (enum-like class).
 *
 * - SPIRE: the `disk` UpstreamAuthority of spire-server (Secret `spiffe-upstream-ca`).
 * - ISTIO: istiod's plug-in CA (Secret `cacerts`), used when istiod signs (e.g. sidecar or
 *   non-SPIRE workloads); it chains to the same root so both identities interoperate.
 */
export class IntermediateKind {
  public static readonly SPIRE = new IntermediateKind('spire', 'spire-intermediate', 'SPIRE upstream CA');
  public static readonly ISTIO = new IntermediateKind('istio', 'istio-intermediate', 'Istio plug-in CA');

  /** Every kind, in the order they are generated and listed. */
  public static readonly ALL: readonly IntermediateKind[] = [IntermediateKind.SPIRE, IntermediateKind.ISTIO];

  private constructor(
    /** Short id, e.g. `spire`. */
    public readonly id: IntermediateKindId,
    /** File name stem: `<stem>.crt` in the public folder, `<stem>.key` in the key folder. */
    public readonly fileStem: string,
    /** Human description, used in messages. */
    public readonly description: string,
  ) {}

  public toString(): string {
    return this.id;
  }
}
