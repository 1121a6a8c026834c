package io.engram.api.faults;

import io.engram.api.problems.ProblemResponses;
import io.engram.api.problems.Problems;
import io.engram.contract.Rollouts.Fault;
import io.engram.contract.Rollouts.Faults;
import io.engram.core.CoreServices;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import jakarta.validation.Valid;

/**
 * {@code /v1/faults}: this API process's fault switches, for tests and the rollout simulator
 * (latency added to one model version's retrieval: a slow candidate). Refused (403) unless the
 * process runs with {@code ENGRAM_FAULTS_ENABLED=true}.
 */
@Controller("/v1/faults")
@ProblemResponses
class FaultController {
  private final io.engram.core.faults.Faults faults;

  FaultController(CoreServices core) {
    this.faults = core.faults();
  }

  @Get
  Faults list() {
    return new Faults(faults.enabled(), faults.latencies());
  }

  @Put
  Faults set(@Valid @Body Fault fault) {
    if (!faults.enabled()) {
      throw Problems.forbidden(
          "fault switches are disabled; start the API with ENGRAM_FAULTS_ENABLED=true");
    }
    if (fault.latencyMs() > io.engram.core.faults.Faults.MAX_LATENCY_MS) {
      throw Problems.invalidField(
          "/latencyMs", "at most " + io.engram.core.faults.Faults.MAX_LATENCY_MS + " ms");
    }
    faults.setLatency(fault.modelVersion(), fault.latencyMs());
    return list();
  }
}
