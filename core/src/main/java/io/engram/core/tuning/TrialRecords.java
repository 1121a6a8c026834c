package io.engram.core.tuning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.db.BatchedChange;
import io.engram.core.db.Columns;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/** Trials as stored ({@code trials}), keyed by study and number. */
public final class TrialRecords {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SELECT =
      "SELECT number, params, state, value, intermediate, cost_seconds, error, started_at,"
          + " finished_at FROM trials WHERE study_id = :studyId";

  private final Jdbi jdbi;

  public TrialRecords(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** The study's trials in number order; {@code space} types their parameters. */
  public List<Trial> all(long studyId, SearchSpace space) {
    return jdbi.withHandle(h -> all(h, studyId, space));
  }

  static List<Trial> all(Handle h, long studyId, SearchSpace space) {
    return h.createQuery(SELECT + " ORDER BY number")
        .bind("studyId", studyId)
        .map(mapper(space))
        .list();
  }

  static Optional<Trial> find(Handle h, long studyId, int number, SearchSpace space) {
    return h.createQuery(SELECT + " AND number = :number")
        .bind("studyId", studyId)
        .bind("number", number)
        .map(mapper(space))
        .findOne();
  }

  /** The study's best {@code k} complete trials, best first (ties: the older first). */
  static List<Trial> best(Handle h, long studyId, Direction direction, int k, SearchSpace space) {
    String order = direction == Direction.MAXIMIZE ? "value DESC" : "value ASC";
    return h.createQuery(SELECT + " AND state = 'complete' ORDER BY " + order + ", number LIMIT :k")
        .bind("studyId", studyId)
        .bind("k", k)
        .map(mapper(space))
        .list();
  }

  /** Records a new running trial, inside the transaction that sampled its parameters. */
  static void insert(Handle h, long studyId, int number, Params params) {
    h.createUpdate(
            "INSERT INTO trials (study_id, number, params) VALUES (:studyId, :number,"
                + " :params::jsonb)")
        .bind("studyId", studyId)
        .bind("number", number)
        .bind("params", params.toJson())
        .execute();
  }

  /**
   * Stores the value reported at {@code step} unless the trial already has one there or has
   * finished.
   *
   * @return whether the value was stored
   */
  static boolean report(Handle h, long studyId, int number, int step, double value) {
    return h.createUpdate(
                "UPDATE trials SET intermediate = intermediate || jsonb_build_object(:step,"
                    + " :value) WHERE study_id = :studyId AND number = :number AND state ="
                    + " 'running' AND intermediate -> :step IS NULL")
            .bind("step", Integer.toString(step))
            .bind("value", value)
            .bind("studyId", studyId)
            .bind("number", number)
            .execute()
        == 1;
  }

  /**
   * Finishes a running trial; a finished one is left as it is.
   *
   * @return whether the trial was running
   */
  static boolean finish(
      Handle h,
      long studyId,
      int number,
      TrialState state,
      Double value,
      double costSeconds,
      String error) {
    return h.createUpdate(
                "UPDATE trials SET state = :state, value = :value, cost_seconds = :cost,"
                    + " error = :error, finished_at = now() WHERE study_id = :studyId AND"
                    + " number = :number AND state = 'running'")
            .bind("state", state.stored())
            .bind("value", value)
            .bind("cost", costSeconds)
            .bind("error", error)
            .bind("studyId", studyId)
            .bind("number", number)
            .execute()
        == 1;
  }

  private static RowMapper<Trial> mapper(SearchSpace space) {
    return (rs, ctx) ->
        new Trial(
            rs.getInt(1),
            Params.fromJson(rs.getString(2), space),
            TrialState.fromStored(rs.getString(3)),
            (Double) rs.getObject(4),
            intermediate(rs.getString(5)),
            (Double) rs.getObject(6),
            rs.getString(7),
            Columns.instant(rs, 8),
            Columns.instant(rs, 9));
  }

  private static TreeMap<Integer, Double> intermediate(String json) {
    Map<String, Double> raw;
    try {
      raw = JSON.readValue(json, new TypeReference<Map<String, Double>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable intermediate values", e);
    }
    TreeMap<Integer, Double> out = new TreeMap<>();
    raw.forEach((k, v) -> out.put(Integer.parseInt(k), v));
    return out;
  }

  /**
   * Deletes a collection's rows of {@code trials} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "trials",
          "study_id, number",
          "SELECT t.study_id, t.number FROM studies s JOIN trials t ON"
              + " t.study_id = s.id WHERE s.collection = :key");
}
