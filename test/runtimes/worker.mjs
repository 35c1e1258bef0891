/**
 * The Cloudflare Workers entry (bundled by esbuild, run by workerd through
 * miniflare): imports the package entries by name, takes the job as the
 * POST body and answers the suite's JSON. fetch is the worker's own.
 */
import * as core from 'tee-attest';
import * as raTls from 'tee-attest/ra-tls';
import * as collateral from 'tee-attest/collateral';
import * as snp from 'tee-attest/snp';
import * as testing from 'tee-attest/testing';
import { benchBatch, benchSuite, runSuite } from './suite.mjs';

const mods = { core, raTls, collateral, snp, testing };

export default {
  async fetch(request) {
    const job = await request.json();
    const result =
      job.mode === 'batch'
        ? await benchBatch(mods, job.data, job.batch)
        : job.mode === 'bench'
          ? await benchSuite(mods, job.data, job.bench)
          : await runSuite(mods, job.data, (input, init) => fetch(input, init));
    return Response.json({ runtime: 'workerd', importMs: null, result });
  },
};
