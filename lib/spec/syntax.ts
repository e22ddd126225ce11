/** Syntax rules for names and addresses that users get wrong, each with a fix hint. */
import { isIP } from 'net';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// SPIFFE trust domain names: lowercase letters, digits, '.', '-' and '_' (the SPIFFE ID
// spec; the ClusterFederatedTrustDomain CRD enforces the same pattern).
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
const VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** True for a DNS-1123 label: Kubernetes object names, namespaces, component folders (at most 63 characters). */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** True for a DNS-1123 subdomain: names of most Kubernetes objects (at most 253 characters). */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** Returns why `value` is not a DNS-1123 label (Kubernetes object and cluster names), or undefined. */
export function dns1123LabelProblem(value: string): string | undefined {
  if (value.length > 63) return `'${value}' is longer than 63 characters`;
  if (!DNS1123_LABEL.test(value)) {
    return `'${value}' is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** A DNS-1123 label close to `value`, for fix hints. */
export function suggestDns1123Label(value: string): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return s === '' ? 'cluster1' : s;
}

export function trustDomainProblem(value: string): { problem: string; fix: string } | undefined {
  if (value.startsWith('spiffe://')) {
    return {
      problem: `'${value}' is a SPIFFE ID, not a trust domain name`,
      fix: `drop the scheme: '${value.slice('spiffe://'.length).split('/')[0]}'`,
    };
  }
  if (value.length > 255) return { problem: `'${value}' is longer than 255 characters`, fix: 'use a shorter trust domain name' };
  if (!TRUST_DOMAIN.test(value)) {
    const hint = value.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
    return {
      problem: `'${value}' is not a valid SPIFFE trust domain name (lowercase letters, digits, '.', '-' and '_' only; no scheme, port or path)`,
      fix: `use a name such as '${hint}'`,
    };
  }
  return undefined;
}

/** Kubernetes label values (networks, regions, zones). */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `'${value}' is longer than 63 characters`;
  if (!LABEL_VALUE.test(value)) {
    return `'${value}' is not a valid Kubernetes label value (letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** An east-west gateway address: a routable IPv4/IPv6 address or a DNS name. */
export function addressProblem(value: string): string | undefined {
  if (isIP(value) !== 0) {
    // The unspecified addresses mean "any" to a listener and reach nothing as a destination (RFC 1122 §3.2.1.3, RFC 4291 §2.5.2).
    if (/^0+(\.0+){3}$/.test(value) || /^[0:]+$/.test(value)) return `'${value}' is the unspecified address, which peers cannot connect to`;
    return undefined;
  }
  if (value.length <= 253 && DNS1123_SUBDOMAIN.test(value)) {
    // A top-level label is never all-numeric (RFC 1123 §2.1), so '999.1.1.1' or '1.2.3' is a mistyped IP address.
    if (/^[0-9]+$/.test(value.split('.').pop() ?? '')) return `'${value}' looks like an IP address but is not a valid one`;
    return undefined;
  }
  return `'${value}' is neither an IP address nor a DNS name`;
}

/** The Gateway API address type of an east-west address (remote peer Gateway `spec.addresses`). */
export function addressType(value: string): 'IPAddress' | 'Hostname' {
  return isIP(value) !== 0 ? 'IPAddress' : 'Hostname';
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const GO_DURATION_UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** A Go duration (`time.ParseDuration`) as SPIRE and cert-manager read them: '720h', '5m', '1h30m'. */
export function goDurationProblem(value: string): string | undefined {
  return GO_DURATION.test(value) ? undefined : `'${value}' is not a duration; write it as a Go duration such as '720h', '90m' or '1h30m'`;
}

/** Seconds of a valid Go duration. */
export function goDurationSeconds(value: string): number {
  let total = 0;
  for (const [, amount, , unit] of value.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(amount) * GO_DURATION_UNIT_SECONDS[unit];
  return total;
}

export function versionProblem(value: string): string | undefined {
  return VERSION.test(value) ? undefined : `'${value}' is not a version of the form X.Y.Z`;
}

/** Major and minor of a version string such as '1.29.1' or 'v1.4.0'. */
export function parseVersion(value: string): { major: number; minor: number; patch: number } {
  const [major, minor, patch] = value
    .replace(/^v/, '')
    .split(/[.-]/)
    .map((n) => Number(n));
  return { major, minor, patch };
}

/** Levenshtein distance, for "did you mean" hints on unknown fields. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
