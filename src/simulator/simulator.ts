/**
 * DstackSimulator: a stand-in for the dstack guest agent (GetTlsKey,
 * GetQuote, Info) whose TDX quotes are built by the test PKI factory
 * (`tee-attest/testing`): genuine under the FAKE Intel root of that factory,
 * with collateral to match, so the whole DCAP path (DcapVerifier with
 * `rootPublicKey`) runs as it would against real hardware.
 *
 *   - one platform per simulator (makeScenario at `at`, default now: the
 *     collateral is valid from a day before to 30 days after);
 *   - each GetTlsKey issues a fresh P-256 key and an RA-TLS certificate whose
 *     quote's REPORTDATA = SHA-512("ratls-cert:" ‖ SPKI DER) (dstack's binding)
 *     and whose RTMR3 replays the runtime events carried with it;
 *   - knobs for negative tests: debug TD, another MRTD, revoked PCK, legacy
 *     certificate layout, and `bindTo` (a quote for another key: UNBOUND).
 *
 * No Node built-ins here; agent.ts serves it over HTTP.
 * DEVELOPMENT AND TESTS ONLY: anyone can mint what this accepts.
 */
import { attestationError } from '../errors.js';
import type { CollateralJson } from '../collateral/input.js';
import type { RuntimeEvent } from '../ra-tls/event-log.js';
import { concatBytes, fromHex, toHex, utf8Encode } from '../lib/bytes.js';
import { labelBytes, keyPairFromLabel, type TestKeyPair } from '../encode/keys.js';
import { toPem } from '../encode/pem.js';
import { buildQuote, type BuildQuoteOptions } from '../testing/quote.js';
import { makeScenario, type Scenario, type ScenarioOptions } from '../testing/scenario.js';
import { DcapVerifier } from '../verifier/dcap-verifier.js';
import type { VerifierClock } from '../verifier/types.js';
import {
  encodeAttestationV0,
  eventLogJson,
  mintCa,
  mintRaTlsCertificate,
  p256Pkcs8Pem,
  randomKeyPair,
  ratlsReportData,
  rtmr3Of,
  runtimeEventLog,
  type SimCa,
  type SimEvent,
} from './mint.js';

export const SIMULATOR_LABEL = 'tee-attest simulator';

export interface DstackSimulatorOptions {
  /** Platform time (unix seconds): collateral and certificates are valid around it. Default: now. */
  readonly at?: number;
  /** Key label of the fake Intel PKI (the root key follows from it). Default 'tee-attest simulator'. */
  readonly label?: string;
  /** Debug TD (TDATTRIBUTES.DEBUG). */
  readonly debug?: boolean;
  /** MRTD (48 bytes hex). Default: derived from the label. */
  readonly mrtd?: string;
  /** List the platform's PCK certificate in the PCK CRL. */
  readonly revokePck?: boolean;
  /** More makeScenario knobs (TCB levels, expiry, ...). */
  readonly scenario?: Omit<ScenarioOptions, 'at' | 'label' | 'debug' | 'revokePck'>;
  /** App identity (hex). Defaults derived from the label. */
  readonly appId?: string;
  readonly composeHash?: string;
  readonly instanceId?: string;
  readonly osImageHash?: string;
  readonly appName?: string;
  /** Certificate layout: OID .1.8 SCALE V0 (default) or legacy .1.1 quote + .1.2 JSON event log. */
  readonly certificateFormat?: 'v0' | 'legacy';
  /**
   * Runtime events the app emitted after `system-ready` (dstack lets apps
   * extend RTMR3): appended to the boot events and replayed into RTMR3.
   */
  readonly appEvents?: readonly RuntimeEvent[];
  /**
   * ADVERSARIAL TESTS ONLY: rewrites the event log the simulator serves
   * (certificates, GetQuote, Info) without changing the quote, as a rogue TD
   * could. The SCALE stack runtime-event list is left as measured.
   */
  readonly eventLogTransform?: (log: SimEvent[]) => SimEvent[];
}

export interface SimTlsKeyRequest {
  readonly subject?: string;
  readonly alt_names?: readonly string[];
  readonly usage_ra_tls?: boolean;
  readonly usage_server_auth?: boolean;
  readonly usage_client_auth?: boolean;
}

export interface SimTlsKeyResponse {
  readonly key: string;
  readonly certificate_chain: string[];
}

export interface SimQuoteResponse {
  readonly quote: string;
  readonly event_log: string;
  readonly report_data: string;
  readonly vm_config: string;
}

/** What a client needs to verify this simulator's quotes (served at POST /TeeAttestSimulatorTrust). */
export interface SimulatorTrust {
  /** The fake Intel root key (65-byte P-256 point, hex). */
  readonly root_public_key: string;
  readonly collateral: CollateralJson;
  /** The platform time, unix seconds. */
  readonly at: number;
  readonly mrtd: string;
}

export interface IssueOptions {
  /** Negative tests: the quote binds this key instead of the certificate's (an UNBOUND certificate). */
  readonly bindTo?: TestKeyPair;
}

const DAY = 86_400;

function hexField(v: string | undefined, len: number, dflt: Uint8Array, field: string): Uint8Array {
  if (v === undefined) return dflt;
  const b = fromHex(v.replace(/^0x/i, ''), 'InvalidArgument', field);
  if (b.length !== len) throw attestationError('InvalidArgument', `${field} must be ${len} bytes`, { check: 'simulator/simulator' });
  return b;
}

export class DstackSimulator {
  readonly at: number;
  readonly label: string;
  readonly scenario: Scenario;
  readonly runtimeEvents: readonly RuntimeEvent[];
  readonly appId: Uint8Array;
  readonly composeHash: Uint8Array;
  readonly instanceId: Uint8Array;
  readonly osImageHash: Uint8Array;
  readonly appName: string;
  readonly ca: SimCa;
  readonly vmConfig: string;
  readonly #format: 'v0' | 'legacy';
  readonly #quoteOptions: BuildQuoteOptions;
  readonly #transform: (log: SimEvent[]) => SimEvent[];
  #serial = 1;

  constructor(options: DstackSimulatorOptions = {}) {
    this.at = options.at ?? Math.floor(Date.now() / 1000);
    this.label = options.label ?? SIMULATOR_LABEL;
    const l = this.label;
    this.appId = hexField(options.appId, 20, labelBytes(`${l} app-id`, 20), 'appId');
    this.composeHash = hexField(options.composeHash, 32, labelBytes(`${l} compose-hash`, 32), 'composeHash');
    this.instanceId = hexField(options.instanceId, 20, labelBytes(`${l} instance-id`, 20), 'instanceId');
    this.osImageHash = hexField(options.osImageHash, 32, labelBytes(`${l} os-image-hash`, 32), 'osImageHash');
    this.appName = options.appName ?? 'tee-attest-sim';
    this.#format = options.certificateFormat ?? 'v0';
    const kms = keyPairFromLabel(`${l} kms root`);
    this.runtimeEvents = [
      { event: 'system-preparing', payload: new Uint8Array(0), version: 1 },
      { event: 'app-id', payload: this.appId, version: 1 },
      { event: 'compose-hash', payload: this.composeHash, version: 1 },
      { event: 'instance-id', payload: this.instanceId, version: 1 },
      { event: 'boot-mr-done', payload: new Uint8Array(0), version: 1 },
      { event: 'os-image-hash', payload: this.osImageHash, version: 1 },
      { event: 'key-provider', payload: utf8Encode(JSON.stringify({ name: 'kms', id: toHex(kms.publicKey) })), version: 1 },
      { event: 'system-ready', payload: new Uint8Array(0), version: 1 },
      ...(options.appEvents ?? []),
    ];
    this.#transform = options.eventLogTransform ?? ((log) => log);
    const mrconfigid = concatBytes(Uint8Array.of(1), this.composeHash, new Uint8Array(15));
    this.scenario = makeScenario({
      ...options.scenario,
      at: this.at,
      label: l,
      ...(options.debug === true ? { debug: true } : {}),
      ...(options.revokePck === true ? { revokePck: true } : {}),
      quote: {
        ...options.scenario?.quote,
        tdBody: {
          ...options.scenario?.quote?.tdBody,
          ...(options.mrtd === undefined ? {} : { mrtd: hexField(options.mrtd, 48, new Uint8Array(48), 'mrtd') }),
          mrconfigid,
          rtmr3: rtmr3Of(this.runtimeEvents),
        },
      },
    });
    this.#quoteOptions = this.scenario.quoteOptions;
    this.ca = mintCa(keyPairFromLabel(`${l} app ca`), 'tee-attest simulator app CA', this.at - 365 * DAY, this.at + 10 * 365 * DAY);
    this.vmConfig = JSON.stringify({ os_image_hash: toHex(this.osImageHash), cpu_count: 2, memory_size: 2147483648, simulator: 'tee-attest' });
  }

  /** MRTD of this platform's TD (hex). */
  get mrtd(): string {
    return toHex(this.scenario.quote.subarray(48 + 136, 48 + 184));
  }

  get rootPublicKey(): Uint8Array {
    return this.scenario.rootPublicKey;
  }

  get collateral(): CollateralJson {
    return this.scenario.collateral;
  }

  /** The event log this TD serves: its runtime events as imr-3 entries (after eventLogTransform). */
  eventLog(): SimEvent[] {
    return this.#transform(runtimeEventLog(this.runtimeEvents));
  }

  /** A TDX quote of this TD with `reportData` (≤ 64 bytes, zero padded). */
  quote(reportData: Uint8Array): Uint8Array {
    if (reportData.length > 64) throw attestationError('InvalidArgument', 'report data is at most 64 bytes', { check: 'simulator/simulator' });
    const rd = concatBytes(reportData, new Uint8Array(64 - reportData.length));
    const q = this.#quoteOptions;
    return buildQuote({ ...q, tdBody: { ...q.tdBody, reportData: rd } });
  }

  /** dstack GetQuote. */
  getQuote(reportData: Uint8Array): SimQuoteResponse {
    const quote = this.quote(reportData);
    return {
      quote: toHex(quote),
      event_log: eventLogJson(this.eventLog()),
      report_data: toHex(concatBytes(reportData, new Uint8Array(64 - reportData.length))),
      vm_config: this.vmConfig,
    };
  }

  /** dstack GetTlsKey: a fresh key and an RA-TLS certificate chain (leaf, simulator CA). */
  getTlsKey(request: SimTlsKeyRequest = {}, options: IssueOptions = {}): SimTlsKeyResponse {
    const key = randomKeyPair();
    const raTls = request.usage_ra_tls === true;
    let attestation: Uint8Array | undefined;
    let legacy: { quote: Uint8Array; eventLogJson: string } | undefined;
    if (raTls) {
      const reportData = ratlsReportData((options.bindTo ?? key).publicKey);
      const quote = this.quote(reportData);
      const log = this.eventLog();
      if (this.#format === 'legacy') legacy = { quote, eventLogJson: eventLogJson(log) };
      else attestation = encodeAttestationV0({ quote, eventLog: log, runtimeEvents: this.runtimeEvents, reportData, config: this.vmConfig });
    }
    const serial = concatBytes(labelBytes(`${this.label} serial`, 8), Uint8Array.of((this.#serial >>> 24) & 0xff, (this.#serial >>> 16) & 0xff, (this.#serial >>> 8) & 0xff, this.#serial & 0xff));
    this.#serial++;
    const leaf = mintRaTlsCertificate({
      key,
      ca: this.ca,
      serial: Uint8Array.of(0x01, ...serial),
      subject: request.subject ?? '',
      ...(request.alt_names === undefined ? {} : { altNames: request.alt_names }),
      serverAuth: request.usage_server_auth ?? true,
      clientAuth: request.usage_client_auth ?? false,
      notBefore: this.at - DAY,
      notAfter: this.at + 365 * DAY,
      ...(attestation === undefined ? {} : { attestation }),
      ...(legacy === undefined ? {} : { legacy }),
      ...(raTls ? { usage: 'app:custom', appId: this.appId } : {}),
    });
    return { key: p256Pkcs8Pem(key), certificate_chain: [toPem(leaf), this.ca.pem] };
  }

  /** dstack Info (tcb_info as JSON text, as the agent sends it). */
  info(): Record<string, unknown> {
    const body = this.scenario.quote.subarray(48);
    const hex = (o: number, n: number): string => toHex(body.subarray(o, o + n));
    const tcbInfo = {
      mrtd: hex(136, 48),
      rtmr0: hex(328, 48),
      rtmr1: hex(376, 48),
      rtmr2: hex(424, 48),
      rtmr3: hex(472, 48),
      mr_aggregated: '',
      os_image_hash: toHex(this.osImageHash),
      compose_hash: toHex(this.composeHash),
      device_id: toHex(labelBytes(`${this.label} device-id`, 32)),
      app_compose: JSON.stringify({ manifest_version: 2, name: this.appName, runner: 'docker-compose', docker_compose_file: '' }),
      event_log: JSON.parse(eventLogJson(this.eventLog())) as unknown,
    };
    return {
      app_id: toHex(this.appId),
      instance_id: toHex(this.instanceId),
      app_cert: this.ca.pem,
      tcb_info: JSON.stringify(tcbInfo),
      app_name: this.appName,
      device_id: tcbInfo.device_id,
      mr_aggregated: '',
      os_image_hash: toHex(this.osImageHash),
      key_provider_info: new TextDecoder().decode(this.runtimeEvents[6]!.payload),
      compose_hash: toHex(this.composeHash),
      vm_config: this.vmConfig,
    };
  }

  /** What a verifier needs to trust this simulator (development only). */
  trust(): SimulatorTrust {
    return { root_public_key: toHex(this.rootPublicKey), collateral: this.collateral, at: this.at, mrtd: this.mrtd };
  }

  /**
   * A DcapVerifier pinned to this simulator's FAKE root, with its collateral.
   * Results say `authenticated: true` (the DCAP path ran): never use it
   * outside development and tests.
   */
  verifier(options: { clock?: VerifierClock } = {}): DcapVerifier {
    return simulatorDcapVerifier(this.trust(), options);
  }
}

/** A DcapVerifier for a simulator's trust material (see DstackSimulator.verifier). */
export function simulatorDcapVerifier(trust: SimulatorTrust, options: { clock?: VerifierClock } = {}): DcapVerifier {
  const collateral = trust.collateral;
  return new DcapVerifier({
    collateral: async () => collateral,
    rootPublicKey: fromHex(trust.root_public_key, 'InvalidArgument', 'root_public_key'),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
}
