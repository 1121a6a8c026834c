package io.engram.core.rollout;

import io.engram.core.CoreServices;
import io.engram.core.memory.Intent;
import io.engram.core.query.QueryPipeline;
import io.engram.core.query.QueryPipelines;
import io.engram.core.query.QueryResult;
import io.engram.core.query.Question;
import io.engram.core.query.UnknownResourceException;
import io.engram.core.retrieval.Candidate;
import io.engram.core.retrieval.ResponseCache;
import io.engram.core.rollout.RolloutObservations.Observation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each question to the model version that answers it: the collection's champion, or during a
 * rollout the arm the rollout's state in PostgreSQL gives it. Every API replica reads the same
 * state ({@link Rollouts#routing}) and assigns the same arm to the same conversation, so replicas
 * agree and a restart changes nothing.
 *
 * <ul>
 *   <li><b>shadow</b>: the champion answers; a share of its queries is also asked of the candidate
 *       on a {@link ShadowQueue} beside the request path (dropped when the queue is full), and the
 *       two top-10s, both latencies and any error are recorded.
 *   <li><b>canary</b> (and while awaiting approval): a conversation gets an arm the first time it
 *       asks — the candidate, both rankings interleaved, or the champion, by a hash of the rollout
 *       and the session against the step's shares — and keeps it ({@link RolloutAssignments}); a
 *       question without a session draws its arm alone. A candidate that fails is answered by the
 *       champion instead and counted as an error.
 * </ul>
 *
 * Each query answers wholly from one version's bundle (index, retrieval settings, reranker) or,
 * when interleaved, from both versions' rankings, each made by its own bundle.
 */
public final class RolloutRouter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RolloutRouter.class);

  /** How often the phase gauge reads the rollouts' phases (a scrape interval, roughly). */
  private static final Duration PHASE_REFRESH = Duration.ofSeconds(15);

  /** Conversations whose arm a process keeps at most (the database keeps them all). */
  static final int ASSIGNMENTS_KEPT = 50_000;

  /** How deep a shadow comparison ranks with both versions. */
  static final int SHADOW_DEPTH = 10;

  private final QueryPipelines pipelines;
  private final Rollouts rollouts;
  private final RolloutAssignments assignments;
  private final RolloutObservations observations;
  private final RolloutMetrics metrics;
  private final Executor background;
  private final ShadowQueue shadow;
  private final ScheduledExecutorService phaseGauge;
  private final long routingTtlNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Cached> routing = new ConcurrentHashMap<>();
  private final ResponseCache<String> assigned;

  private record Cached(Rollouts.RoutingState state, long atNanos) {}

  /**
   * @param background writes the observations, off the request path
   * @param routingTtl how long a collection's routing state is trusted (zero: read per request)
   */
  public RolloutRouter(
      QueryPipelines pipelines,
      Rollouts rollouts,
      RolloutAssignments assignments,
      RolloutObservations observations,
      RolloutMetrics metrics,
      Executor background,
      RolloutSettings settings,
      LongSupplier nanoClock) {
    this.pipelines = pipelines;
    this.rollouts = rollouts;
    this.assignments = assignments;
    this.observations = observations;
    this.metrics = metrics;
    this.background = background;
    this.shadow = new ShadowQueue(settings.shadowThreads(), settings.shadowQueue());
    this.routingTtlNanos = settings.routingTtl().toNanos();
    this.nanoClock = nanoClock;
    this.assigned = new ResponseCache<>(ASSIGNMENTS_KEPT, Duration.ofHours(1), nanoClock);
    this.phaseGauge =
        Executors.newSingleThreadScheduledExecutor(CoreServices.daemonThreads("engram-phase"));
    phaseGauge.scheduleWithFixedDelay(
        this::refreshPhases, 0, PHASE_REFRESH.toSeconds(), TimeUnit.SECONDS);
  }

  /** Reads every collection's rollout phase into the phase gauge; a failed read keeps the last. */
  private void refreshPhases() {
    try {
      metrics.phases(rollouts.phases());
    } catch (RuntimeException e) {
      log.debug("rollout phase gauge not refreshed: {}", e.toString());
    }
  }

  /**
   * Answers one turn with the version routing gives it.
   *
   * @throws UnknownResourceException when the question names a session or collection that does not
   *     exist
   */
  public QueryResult ask(Question q) {
    String collection = pipelines.collectionOf(q);
    Rollouts.RoutingState state = routing(collection);
    if (state.championVersionId() == null) {
      // No registered version yet: the default bundle serves, and nothing can be rolled out.
      return pipelines.ask(q);
    }
    Question asked =
        new Question(q.tenant(), q.text(), q.sessionId(), collection, q.topK(), q.fresh());
    QueryPipeline champion = pipelines.forRegistered(state.championVersionId());
    Rollouts.Active rollout = state.rollout();
    if (rollout == null) {
      return champion.ask(asked);
    }
    if (Phase.SHADOW.equals(rollout.phase())) {
      QueryResult result = serveChampion(rollout, champion, asked);
      if (rollout.shadowShare() > 0
          && ThreadLocalRandom.current().nextDouble() < rollout.shadowShare()
          && !result.noDocuments()) {
        mirror(rollout, champion, asked, result);
      }
      return result;
    }
    String arm = armOf(rollout, q.sessionId());
    return switch (arm) {
      case Arm.CANDIDATE -> candidate(rollout, champion, asked, null);
      case Arm.INTERLEAVED -> candidate(rollout, champion, asked, interleaving(rollout));
      default -> serveChampion(rollout, champion, asked);
    };
  }

  /** How the routing of {@code collection} stands, read at most every routing TTL. */
  public Rollouts.RoutingState routing(String collection) {
    long now = nanoClock.getAsLong();
    Cached cached = routing.get(collection);
    if (cached != null && now - cached.atNanos() < routingTtlNanos) {
      return cached.state();
    }
    Rollouts.RoutingState state = rollouts.routing(collection);
    if (routingTtlNanos > 0) {
      routing.put(collection, new Cached(state, now));
    }
    return state;
  }

  /**
   * The arm of a question in a canary: a session's stored arm (given now if it has none), or for a
   * question without a session an arm drawn for it alone.
   */
  String armOf(Rollouts.Active rollout, UUID session) {
    if (session == null) {
      return arm(ThreadLocalRandom.current().nextDouble(), rollout);
    }
    // A stored arm never changes, so each process asks the database once per conversation.
    String key = rollout.id() + "/" + session;
    Optional<String> known = assigned.get(key);
    if (known.isPresent()) {
      return known.get();
    }
    String arm =
        assignments.assign(rollout.id(), session, arm(bucket(rollout.id(), session), rollout));
    assigned.put(key, arm);
    return arm;
  }

  /**
   * Where a key falls in [0, 1) for a rollout: a hash of both, the same on every replica and after
   * every restart, and different between rollouts, so each rollout exposes other conversations.
   */
  static double bucket(long rolloutId, UUID key) {
    UUID hash = UUID.nameUUIDFromBytes((rolloutId + "/" + key).getBytes(StandardCharsets.UTF_8));
    // The low 53 bits: the name-based UUID's version and variant bits lie outside them.
    return (hash.getLeastSignificantBits() & ((1L << 53) - 1)) * 0x1.0p-53;
  }

  /** The arm a bucket falls in at the rollout's current shares. */
  static String arm(double bucket, Rollouts.Active rollout) {
    if (bucket < rollout.candidateShare()) {
      return Arm.CANDIDATE;
    }
    if (bucket < rollout.candidateShare() + rollout.interleaveShare()) {
      return Arm.INTERLEAVED;
    }
    return Arm.CHAMPION;
  }

  private QueryPipeline.Serving interleaving(Rollouts.Active rollout) {
    return new QueryPipeline.Serving(
        rollout.id(),
        Arm.INTERLEAVED,
        pipelines.forRegistered(rollout.candidateVersionId()),
        ThreadLocalRandom.current().nextLong());
  }

  /**
   * Serves the candidate's arm (alone, or interleaved when {@code interleaved} is given); when the
   * candidate fails, the champion answers and the failure is recorded against the candidate.
   */
  private QueryResult candidate(
      Rollouts.Active rollout,
      QueryPipeline champion,
      Question q,
      QueryPipeline.Serving interleaved) {
    String arm = interleaved == null ? Arm.CANDIDATE : Arm.INTERLEAVED;
    long start = System.nanoTime();
    String label = "candidate";
    try {
      if (interleaved == null) {
        QueryPipeline candidate = pipelines.forRegistered(rollout.candidateVersionId());
        label = candidate.name();
        return serve(
            rollout, arm, candidate, q, QueryPipeline.Serving.arm(rollout.id(), Arm.CANDIDATE));
      }
      label = interleaved.interleaveWith().name();
      return serve(rollout, arm, champion, q, interleaved);
    } catch (UnknownResourceException e) {
      throw e;
    } catch (RuntimeException e) {
      double millis = (System.nanoTime() - start) / 1e6;
      log.warn(
          "rollout {}: the {} arm failed, the champion answers: {}",
          rollout.id(),
          arm,
          e.toString());
      metrics.failed(arm, label);
      observe(new Observation(rollout.id(), arm, null, millis, null, true, false, null));
      return champion.ask(q, QueryPipeline.Serving.arm(rollout.id(), Arm.FALLBACK));
    }
  }

  private QueryResult serveChampion(Rollouts.Active rollout, QueryPipeline champion, Question q) {
    return serve(
        rollout, Arm.CHAMPION, champion, q, QueryPipeline.Serving.arm(rollout.id(), Arm.CHAMPION));
  }

  private QueryResult serve(
      Rollouts.Active rollout,
      String arm,
      QueryPipeline pipeline,
      Question q,
      QueryPipeline.Serving serving) {
    long start = System.nanoTime();
    QueryResult result = pipeline.ask(q, serving);
    double millis = (System.nanoTime() - start) / 1e6;
    metrics.served(
        arm,
        arm.equals(Arm.INTERLEAVED) ? serving.interleaveWith().name() : pipeline.name(),
        millis);
    observe(
        new Observation(
            rollout.id(),
            arm,
            UUID.fromString(result.queryId()),
            millis,
            null,
            false,
            looksUp(result) && result.noDocuments(),
            null));
    return result;
  }

  /** Whether the turn looked documents up (small talk and memory statements do not). */
  private static boolean looksUp(QueryResult result) {
    return !Intent.CHIT_CHAT.wireName().equals(result.intent())
        && !Intent.MEMORY_STATEMENT.wireName().equals(result.intent());
  }

  /** Queues a shadow comparison of the query the champion just answered. */
  private void mirror(
      Rollouts.Active rollout, QueryPipeline champion, Question q, QueryResult answered) {
    if (!looksUp(answered)) {
      return;
    }
    String text = answered.rewrittenQuery() == null ? q.text() : answered.rewrittenQuery();
    String collection = q.collection();
    long candidateId = rollout.candidateVersionId();
    boolean queued =
        shadow.offer(
            () -> {
              Rollouts.Active now = routing(collection).rollout();
              if (now == null || now.id() != rollout.id() || !Phase.SHADOW.equals(now.phase())) {
                // The rollout left shadow while this comparison waited: nobody reads it any more.
                metrics.shadow("skipped");
                return;
              }
              Observation o;
              try {
                QueryPipeline candidate = pipelines.forRegistered(candidateId);
                // Both embed the query afresh: the champion's embedding of it was cached when it
                // answered, and a candidate with another embedding model has none, so reusing it
                // would time the champion without the embedding and the candidate with it.
                long t0 = System.nanoTime();
                QueryPipeline.Retrieval mine =
                    candidate.retrieve(collection, text, SHADOW_DEPTH, true);
                double candidateMs = (System.nanoTime() - t0) / 1e6;
                long t1 = System.nanoTime();
                QueryPipeline.Retrieval theirs =
                    champion.retrieve(collection, text, SHADOW_DEPTH, true);
                double championMs = (System.nanoTime() - t1) / 1e6;
                double overlap = overlap(theirs.candidates(), mine.candidates());
                metrics.shadow("compared");
                metrics.overlap(overlap);
                o =
                    new Observation(
                        rollout.id(),
                        Arm.SHADOW,
                        UUID.fromString(answered.queryId()),
                        candidateMs,
                        championMs,
                        false,
                        mine.candidates().isEmpty(),
                        overlap);
              } catch (RuntimeException e) {
                metrics.shadow("failed");
                log.warn("rollout {}: a shadow comparison failed: {}", rollout.id(), e.toString());
                o =
                    new Observation(
                        rollout.id(),
                        Arm.SHADOW,
                        UUID.fromString(answered.queryId()),
                        null,
                        null,
                        true,
                        false,
                        null);
              }
              observations.record(List.of(o));
            });
    if (!queued) {
      metrics.shadow("dropped");
    }
  }

  /**
   * The documents two rankings share, over the longer ranking's length (at most {@link
   * #SHADOW_DEPTH}): chunks of the same document count once, whichever index version cut them.
   */
  static double overlap(List<Candidate> a, List<Candidate> b) {
    Set<String> left = documents(a);
    Set<String> right = documents(b);
    int depth = Math.max(left.size(), right.size());
    if (depth == 0) {
      return 1;
    }
    left.retainAll(right);
    return (double) left.size() / depth;
  }

  private static Set<String> documents(List<Candidate> ranking) {
    Set<String> docs = new HashSet<>();
    for (Candidate c : ranking) {
      docs.add(c.chunk().source());
    }
    return docs;
  }

  private void observe(Observation o) {
    background.execute(
        () -> {
          try {
            observations.record(List.of(o));
          } catch (RuntimeException e) {
            log.warn("could not record a rollout observation: {}", e.getMessage());
          }
        });
  }

  /** Waiting shadow comparisons, for tests and health. */
  int shadowWaiting() {
    return shadow.waiting();
  }

  @Override
  public void close() {
    phaseGauge.shutdownNow();
    shadow.close();
  }
}
