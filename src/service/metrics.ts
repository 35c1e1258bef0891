/**
 * Prometheus text exposition (format 0.0.4) of the service's counters:
 * requests by endpoint and outcome, a verification latency histogram,
 * collateral cache hits / misses (and their ratio) and the age of the
 * collateral last used per FMSPC.
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const label = (v: string): string => v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

export class ServiceMetrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Array<number>(BUCKETS.length).fill(0);
  #latencySum = 0;
  #latencyCount = 0;
  #cacheHits = 0;
  #cacheMisses = 0;
  readonly #collateralAge = new Map<string, number>();

  request(endpoint: string, outcome: string): void {
    const k = `endpoint="${label(endpoint)}",outcome="${label(outcome)}"`;
    this.#requests.set(k, (this.#requests.get(k) ?? 0) + 1);
  }

  verification(seconds: number): void {
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) this.#latency[i]! += 1;
    this.#latencySum += seconds;
    this.#latencyCount += 1;
  }

  collateral(key: string, cacheStatus: 'hit' | 'miss' | 'stale' | undefined, ageSeconds: number | undefined): void {
    if (cacheStatus === 'hit' || cacheStatus === 'stale') this.#cacheHits += 1;
    else this.#cacheMisses += 1;
    if (ageSeconds !== undefined) this.#collateralAge.set(key, ageSeconds);
  }

  render(extra: { ready: boolean; inFlight: number }): string {
    const lines: string[] = [];
    lines.push('# HELP tee_attest_requests_total Requests by endpoint and outcome.', '# TYPE tee_attest_requests_total counter');
    for (const [k, n] of [...this.#requests].sort()) lines.push(`tee_attest_requests_total{${k}} ${n}`);
    lines.push('# HELP tee_attest_verification_seconds Quote verification latency.', '# TYPE tee_attest_verification_seconds histogram');
    BUCKETS.forEach((b, i) => lines.push(`tee_attest_verification_seconds_bucket{le="${b}"} ${this.#latency[i]}`));
    lines.push(`tee_attest_verification_seconds_bucket{le="+Inf"} ${this.#latencyCount}`);
    lines.push(`tee_attest_verification_seconds_sum ${this.#latencySum}`, `tee_attest_verification_seconds_count ${this.#latencyCount}`);
    lines.push('# HELP tee_attest_collateral_cache_total Collateral lookups by cache result.', '# TYPE tee_attest_collateral_cache_total counter');
    lines.push(`tee_attest_collateral_cache_total{result="hit"} ${this.#cacheHits}`, `tee_attest_collateral_cache_total{result="miss"} ${this.#cacheMisses}`);
    const total = this.#cacheHits + this.#cacheMisses;
    lines.push('# HELP tee_attest_collateral_cache_hit_ratio Hits over lookups since start.', '# TYPE tee_attest_collateral_cache_hit_ratio gauge');
    lines.push(`tee_attest_collateral_cache_hit_ratio ${total === 0 ? 0 : this.#cacheHits / total}`);
    lines.push('# HELP tee_attest_collateral_age_seconds Age of the collateral last used, by request key.', '# TYPE tee_attest_collateral_age_seconds gauge');
    for (const [k, a] of [...this.#collateralAge].sort()) lines.push(`tee_attest_collateral_age_seconds{collateral="${label(k)}"} ${a}`);
    lines.push('# TYPE tee_attest_ready gauge', `tee_attest_ready ${extra.ready ? 1 : 0}`);
    lines.push('# TYPE tee_attest_in_flight gauge', `tee_attest_in_flight ${extra.inFlight}`);
    return lines.join('\n') + '\n';
  }
}
