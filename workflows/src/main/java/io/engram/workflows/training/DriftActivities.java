package io.engram.workflows.training;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** The steps of a drift check. Implementations live in the activities module. */
@ActivityInterface
public interface DriftActivities {

  /** The collections with live queries to compare, by name. Read-only, so any retry is safe. */
  @ActivityMethod
  List<String> collections();

  /**
   * Compares the collection's recent live queries with its champion's reference, stores the report
   * and exports its metrics.
   *
   * <p>Idempotent by {@code checkKey} (the workflow's id, run id and the collection): the report is
   * inserted with that key, unique in {@code drift_reports}, and a retry after the insert returns
   * the report stored first instead of storing a second one, so the verdict the workflow acts on is
   * the stored one even when newer queries have arrived meanwhile.
   */
  @ActivityMethod
  DriftCheck check(String collection, String checkKey);
}
