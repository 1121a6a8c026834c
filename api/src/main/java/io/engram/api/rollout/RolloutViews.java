package io.engram.api.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.api.auth.Caller;
import io.engram.contract.Rollouts.Event;
import io.engram.contract.Rollouts.Plan;
import io.engram.contract.Rollouts.RolloutView;
import io.engram.core.rollout.Rollout;
import io.engram.core.rollout.RolloutEvents;
import io.engram.core.rollout.RolloutPlan;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps rollouts and their audit onto the wire contract. */
@Singleton
class RolloutViews {
  private static final TypeReference<LinkedHashMap<String, Object>> JSON_OBJECT =
      new TypeReference<>() {};

  private final ObjectMapper json;

  RolloutViews(ObjectMapper json) {
    this.json = json;
  }

  /** {@code r} as {@code caller}'s tenant knows it (its collection's name, not its key). */
  RolloutView view(Caller caller, Rollout r, List<RolloutEvents.Event> events) {
    Map<String, Double> shares = new LinkedHashMap<>();
    shares.put("shadow", r.routing().shadowShare());
    shares.put("candidate", r.routing().candidateShare());
    shares.put("interleaved", r.routing().interleaveShare());
    return new RolloutView(
        r.workflowId(),
        r.id(),
        caller.shown(r.collection()),
        r.champion().number(),
        r.candidate().number(),
        r.start().trigger(),
        r.start().actor(),
        r.start().reason(),
        r.outcome().status(),
        r.routing().phase(),
        r.routing().step(),
        r.routing().paused(),
        shares,
        r.outcome().reason(),
        plan(r.plan()),
        object(r.lastCheck()),
        text(r.start().at()),
        text(r.routing().phaseStartedAt()),
        text(r.outcome().endedAt()),
        text(r.outcome().retainUntil()),
        events == null ? null : events.stream().map(this::event).toList());
  }

  /** A rollout whose workflow has not stored it yet, or refused it before it began. */
  static RolloutView pending(
      String id, String collection, int candidate, String status, String reason) {
    return new RolloutView(
        id,
        null,
        collection,
        null,
        candidate,
        null,
        null,
        null,
        status,
        null,
        0,
        false,
        null,
        reason,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private Event event(RolloutEvents.Event e) {
    return new Event(e.kind(), e.phase(), e.detail(), e.actor(), object(e.figures()), text(e.at()));
  }

  static Plan plan(RolloutPlan p) {
    return new Plan(
        p.shadowShare(),
        p.shadowMinQueries(),
        p.shadowBake().toMillis(),
        p.steps(),
        p.stepBake().toMillis(),
        p.stepMinQueries(),
        p.interleaveShare(),
        p.maxErrorRate(),
        p.p95Ratio(),
        p.p95SlackMs(),
        p.maxEmptyIncrease(),
        p.alpha(),
        p.maxComparisons(),
        p.timeBudget().toMillis(),
        p.checkInterval().toMillis());
  }

  /** A plan's changes as core's plan takes them; null fields keep the profile's values. */
  static RolloutPlan.Overrides overrides(Plan p) {
    return RolloutPlan.Overrides.of(p);
  }

  private Map<String, Object> object(String text) {
    if (text == null) {
      return null;
    }
    try {
      return json.readValue(text, JSON_OBJECT);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored rollout figure is not a JSON object", e);
    }
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }
}
