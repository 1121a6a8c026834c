package io.engram.core.tuning;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Hyperparameter studies over {@link StudyRecords} and {@link TrialRecords}: creates a study once
 * per workflow, with its warm start, and finds it again as a {@link Study}.
 */
public final class Studies {
  private final Jdbi jdbi;
  private final StudyRecords records;

  public Studies(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.records = new StudyRecords(jdbi);
  }

  /**
   * A study to create.
   *
   * @param workflowId the workflow running the search: creating a study for it twice gives one
   * @param strategy how parameters are chosen and trials pruned
   * @param start what is tried first
   */
  public record NewStudy(
      String collection,
      String workflowId,
      Direction direction,
      SearchSpace space,
      Strategy strategy,
      Start start) {
    public NewStudy {
      Objects.requireNonNull(collection, "collection");
      Objects.requireNonNull(workflowId, "workflowId");
      Objects.requireNonNull(direction, "direction");
      Objects.requireNonNull(space, "space");
      Objects.requireNonNull(strategy, "strategy");
      Objects.requireNonNull(start, "start");
    }
  }

  /**
   * @param sampler {@code tpe} or {@code random}
   * @param tpe the TPE sampler's options, ignored by random search
   * @param seed with a trial's number, what makes its sample reproducible
   * @param pruner null: trials are never pruned
   */
  public record Strategy(String sampler, TpeSampler.Options tpe, long seed, MedianPruner pruner) {
    public Strategy {
      if (!TpeSampler.NAME.equals(sampler) && !RandomSampler.NAME.equals(sampler)) {
        throw new IllegalArgumentException("unknown sampler '" + sampler + "'");
      }
      tpe = tpe == null ? TpeSampler.Options.defaults() : tpe;
    }

    /** TPE with Optuna's defaults and the median pruner with Optuna's defaults. */
    public static Strategy tpe(long seed) {
      return new Strategy(TpeSampler.NAME, null, seed, MedianPruner.defaults());
    }

    public static Strategy random(long seed) {
      return new Strategy(RandomSampler.NAME, null, seed, MedianPruner.defaults());
    }

    public Strategy withPruner(MedianPruner pruner) {
      return new Strategy(sampler, tpe, seed, pruner);
    }
  }

  /**
   * What a new study tries first, in order (Optuna's {@code enqueue_trial}): {@code pinned}
   * parameter sets, then the best {@code warmStartTrials} complete trials of the collection's
   * latest study that has any. A set may be partial; the sampler fills in the rest.
   */
  public record Start(List<Params> pinned, int warmStartTrials) {
    public static final Start NONE = new Start(List.of(), 0);

    public Start {
      pinned = List.copyOf(pinned);
      if (warmStartTrials < 0) {
        throw new IllegalArgumentException("warmStartTrials must be >= 0");
      }
    }

    public static Start warm(int trials) {
      return new Start(List.of(), trials);
    }
  }

  /**
   * Creates the study of {@code spec.workflowId()}, or finds the one created before (a retried
   * activity): the warm start is chosen once, in the transaction that records the study.
   *
   * @throws IllegalArgumentException when a pinned parameter set does not fit the space
   */
  public Study create(NewStudy spec) {
    List<Params> pinned = new ArrayList<>();
    for (Params p : spec.start().pinned()) {
      pinned.add(spec.space().validatePartial(p.values()));
    }
    StudyRecords.Row row =
        jdbi.inTransaction(
            h -> {
              Optional<StudyRecords.Row> existing = StudyRecords.byWorkflowId(h, spec.workflowId());
              if (existing.isPresent()) {
                return existing.get();
              }
              Long warmFrom = null;
              Set<Params> enqueued = new LinkedHashSet<>(pinned);
              if (spec.start().warmStartTrials() > 0) {
                Optional<StudyRecords.Row> previous =
                    StudyRecords.latestWithResults(h, spec.collection());
                if (previous.isPresent()) {
                  warmFrom = previous.get().id();
                  StudyRecords.Row before = previous.get();
                  enqueued.addAll(
                      warmStart(
                          TrialRecords.all(h, before.id(), before.definition().space()),
                          before.definition().direction(),
                          spec.space(),
                          spec.start().warmStartTrials()));
                }
              }
              Strategy s = spec.strategy();
              StudyRecords.insert(
                  h,
                  new StudyRecords.Definition(
                      spec.collection(),
                      spec.workflowId(),
                      spec.direction(),
                      spec.space(),
                      s.sampler(),
                      s.sampler().equals(TpeSampler.NAME) ? StudyRecords.write(s.tpe()) : "{}",
                      s.seed(),
                      s.pruner(),
                      List.copyOf(enqueued),
                      warmFrom));
              // A concurrent create of the same workflow may have won the insert: read it back.
              return StudyRecords.byWorkflowId(h, spec.workflowId()).orElseThrow();
            });
    return open(row);
  }

  /**
   * Fails the studies of {@code collection} still {@code running} under a key other than {@code
   * keep}, and their running trials, giving {@code reason}: what a caller that runs one search per
   * collection at a time does for searches whose run ended without saying so (a terminated workflow
   * runs no code). Returns how many studies it failed.
   */
  public int abandonRunning(String collection, String keep, String reason) {
    return new StudyRecords(jdbi).abandonRunning(collection, keep, reason);
  }

  /**
   * The parameters of the best {@code k} complete trials of a previous study, best first (ties: the
   * older trial first), each reduced to what {@code space} accepts (a parameter the space dropped,
   * or whose new range excludes the old value, is left to the sampler); empty and repeated sets are
   * skipped.
   */
  static List<Params> warmStart(
      List<Trial> previous, Direction direction, SearchSpace space, int k) {
    List<Trial> best =
        previous.stream()
            .filter(t -> t.state() == TrialState.COMPLETE)
            .sorted(
                Comparator.comparing(Trial::value, direction.bestFirst())
                    .thenComparingInt(Trial::number))
            .limit(k)
            .toList();
    Set<Params> out = new LinkedHashSet<>();
    for (Trial t : best) {
      Params projected = space.project(t.params());
      if (projected.size() > 0) {
        out.add(projected);
      }
    }
    return List.copyOf(out);
  }

  public Optional<Study> byId(long id) {
    return records.byId(id).map(this::open);
  }

  public Optional<Study> byWorkflowId(String workflowId) {
    return records.byWorkflowId(workflowId).map(this::open);
  }

  private Study open(StudyRecords.Row row) {
    StudyRecords.Definition study = row.definition();
    Sampler sampler =
        switch (study.sampler()) {
          case TpeSampler.NAME ->
              new TpeSampler(StudyRecords.read(study.samplerOptions(), TpeSampler.Options.class));
          case RandomSampler.NAME -> new RandomSampler();
          default -> throw new IllegalStateException("unknown sampler " + study.sampler());
        };
    return new Study(jdbi, row, sampler);
  }
}
