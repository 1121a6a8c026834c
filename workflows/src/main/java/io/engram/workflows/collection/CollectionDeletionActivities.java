package io.engram.workflows.collection;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * The steps of a collection's deletion. Each is idempotent, keyed by the collection: a retry, or a
 * run after a crash, finds what was done and does the rest.
 */
@ActivityInterface(namePrefix = "CollectionDeletion")
public interface CollectionDeletionActivities {

  /**
   * Marks the collection as being deleted and moves its generation on (one transaction; marking it
   * again changes nothing).
   *
   * @return the kinds of rows to delete, in order (children before the rows they reference); empty
   *     when there is no such collection (never was, or its deletion finished)
   */
  @ActivityMethod
  List<String> begin(String collection);

  /**
   * Deletes the collection's rows of {@code kind} in batches, one transaction each, heartbeating
   * the rows deleted so far after each. Safe to retry: deleted rows stay deleted, so a retry goes
   * on from where the last attempt stopped and adds to the count its last heartbeat reported.
   *
   * @return the rows deleted, over every attempt
   */
  @ActivityMethod
  long purge(String collection, String kind);

  /**
   * Removes the collection's row once its rows are gone; again, removes nothing.
   *
   * @return whether it removed the row
   */
  @ActivityMethod
  boolean finish(String collection);
}
