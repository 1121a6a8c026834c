package io.engram.api;

import io.engram.contract.Blobs;
import io.engram.contract.Drift;
import io.engram.contract.Evaluations;
import io.engram.contract.Feedback;
import io.engram.contract.Ingestions;
import io.engram.contract.Keys;
import io.engram.contract.Memory;
import io.engram.contract.Models;
import io.engram.contract.Queries;
import io.engram.contract.Retrainings;
import io.engram.contract.Rollouts;
import io.engram.contract.Sessions;
import io.micronaut.core.annotation.Introspected;

/**
 * Generates bean introspections for the request records of the wire contract, which live in a
 * module without Micronaut (the CLI compiles against it too): Micronaut validates a
 * {@code @Valid @Body} through its introspection, which carries the records' constraints.
 */
@Introspected(
    classes = {
      Blobs.MissingBlobsRequest.class,
      Drift.DriftCheckRequest.class,
      Evaluations.EvaluationRequest.class,
      Feedback.FeedbackRequest.class,
      Ingestions.IngestionRequest.class,
      Ingestions.FileRef.class,
      Keys.CreateKey.class,
      Memory.PromotionCall.class,
      Models.AliasMove.class,
      Models.Archive.class,
      Queries.QueryRequest.class,
      Rollouts.StartRollout.class,
      Rollouts.Plan.class,
      Rollouts.Action.class,
      Rollouts.Fault.class,
      Retrainings.RetrainingRequest.class,
      Retrainings.LabelledSet.class,
      Sessions.CreateSession.class
    })
final class WireContract {
  private WireContract() {}
}
