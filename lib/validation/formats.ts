/**
 * The string/number formats that Kubernetes structural schemas may name, registered on an ajv
 * instance. The API server validates a known set of formats and ignores the rest; we mirror that:
 * every name below is either checked or accepted on purpose, and crdToAjvSchema drops any other
 * format name so that an unknown format can never make ajv throw.
 */
import type Ajv from 'ajv';
import type { Format } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';

/** Checked by ajv-formats (same meaning as in Kubernetes). */
const FROM_AJV_FORMATS = [
  'date-time',
  'date',
  'uri',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uuid',
  'byte',
  'int32',
  'int64',
  'float',
  'double',
  'password',
  'binary',
] as const;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Kubernetes-specific meanings, or formats ajv-formats does not know. */
const KUBERNETES_FORMATS: Record<string, Format> = {
  // Kubernetes spells it either way.
  datetime: /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  // Go time.ParseDuration syntax ("1h30m", "500ms"), plus the day/week units Kubernetes' parser takes;
  // NOT the ISO 8601 "PT1H" that ajv-formats calls duration.
  duration: /^[-+]?((\d+(\.\d*)?|\.\d+)\s*(ns|us|µs|μs|ms|s|m|h|d|w)\s*)+$|^0$/,
  cidr: {
    validate: (s: string) => {
      const [ip, bits, extra] = s.split('/');
      if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
      if (IPV4.test(ip)) return Number(bits) <= 32;
      return ip.includes(':') && Number(bits) <= 128 && /^[0-9a-f:.]+$/i.test(ip);
    },
  },
  mac: /^([0-9a-f]{2}[:-]){5}([0-9a-f]{2})$|^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/i,
  uuid3: UUID,
  uuid4: UUID,
  uuid5: UUID,
  hexcolor: /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i,
  // Accepted deliberately: allowed by Kubernetes, but of no use to check for manifests we emit.
  bsonobjectid: true,
  isbn: true,
  isbn10: true,
  isbn13: true,
  creditcard: true,
  ssn: true,
  rgbcolor: true,
};

export const KNOWN_FORMATS: ReadonlySet<string> = new Set([...FROM_AJV_FORMATS, ...Object.keys(KUBERNETES_FORMATS)]);

/**
 * Every format by name: ajv-formats' definitions of the shared names, then the Kubernetes ones. Precompiled
 * validators reach it through `require(FORMATS_RUNTIME_MODULE).FORMAT_DEFINITIONS` (ajv option `code.formats`,
 * https://ajv.js.org/standalone.html#requirements-and-limitations).
 */
export const FORMAT_DEFINITIONS: Readonly<Record<string, Format>> = {
  ...Object.fromEntries(FROM_AJV_FORMATS.map((name) => [name, fullFormats[name]])),
  ...KUBERNETES_FORMATS,
};

/** This module, as required by the precompiled validators in imports/schemas/validators/ (and build/imports/schemas/validators/). */
export const FORMATS_RUNTIME_MODULE = '../../../lib/validation/formats';

export function addKubernetesFormats(ajv: Ajv): void {
  for (const [name, format] of Object.entries(FORMAT_DEFINITIONS)) ajv.addFormat(name, format);
}
