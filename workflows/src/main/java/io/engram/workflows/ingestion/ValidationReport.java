package io.engram.workflows.ingestion;

import java.util.List;

/**
 * What an ingestion run's last step found when it checked the index version the run wrote (see
 * {@link IngestionActivities#validate}).
 *
 * @param checked documents of the run whose chunks were counted in the index version
 * @param incomplete documents failed because the index version lacks some of their chunks; the next
 *     ingestion stores them again
 * @param probed documents searched for by the vector of their first chunk
 * @param unreachable probed documents the search did not find
 * @param problems what is wrong with the index version itself, each saying what to do
 * @param errors the incomplete documents with the reason (the first ones), as the activity returns
 *     them; empty in a run's progress, whose {@code errors} list them
 */
public record ValidationReport(
    int checked,
    int incomplete,
    int probed,
    int unreachable,
    List<String> problems,
    List<DocumentError> errors) {}
