package io.engram.workflows.training;

import java.util.Map;

/**
 * A registered candidate, before the gates.
 *
 * @param version its number within the collection
 * @param params the bundle's searched parameters as registered
 * @param fitValue its objective on the fitting part (NDCG@10 on the validation queries)
 */
public record RegisteredCandidate(int version, Map<String, String> params, double fitValue) {}
