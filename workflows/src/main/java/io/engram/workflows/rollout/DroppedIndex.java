package io.engram.workflows.rollout;

import java.util.List;

/**
 * A collection's index version that was dropped.
 *
 * @param chunks how many chunks were deleted
 * @param versions the registered versions that searched it (archived with it)
 * @param rollout the workflow id of the rollout it lost, or null when it was dropped because only
 *     candidates the gates rejected searched it
 */
public record DroppedIndex(
    String collection, int indexVersionId, long chunks, List<Integer> versions, String rollout) {}
