package io.engram.api.memory;

import io.engram.api.auth.Caller;
import io.engram.api.problems.ProblemResponses;
import io.engram.api.problems.Problems;
import io.engram.contract.Labels;
import io.engram.contract.Sessions;
import io.engram.contract.Users.MemoryForgotten;
import io.engram.core.CoreServices;
import io.engram.core.memory.UserForgetting;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code DELETE /v1/users/{userId}/memory}: forgets one user of the caller's tenant ({@link
 * UserForgetting}), synchronously: a user's rows go in bounded batches, a few transactions for a
 * typical user.
 */
@Controller("/v1/users")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class UserMemoryController {
  private static final Logger log = LoggerFactory.getLogger(UserMemoryController.class);

  private static final Pattern USER_ID = Pattern.compile(Labels.PATTERN);

  private final UserForgetting forgetting;

  UserMemoryController(CoreServices core) {
    this.forgetting = core.userForgetting();
  }

  /**
   * Deletes the user's sessions, turns and facts and anonymizes the queries they asked; 200 with
   * the rows changed by table, all zeros when nothing is left of the user (a second call). Only
   * ever the caller's tenant's user: the same id in another tenant is another person.
   */
  @Delete("/{userId}/memory")
  MemoryForgotten forget(Caller caller, String userId) {
    if (userId.length() > Sessions.USER_ID_MAX || !USER_ID.matcher(userId).matches()) {
      // The id is not echoed: it may hold anything a client sent, control characters included.
      throw Problems.invalidField(
          "userId",
          "a user id is 1-"
              + Sessions.USER_ID_MAX
              + " characters that "
              + Sessions.USER_ID_RULE
              + ", as POST /v1/sessions takes it");
    }
    UserForgetting.Forgotten forgotten = forgetting.forget(caller.tenant(), userId);
    // The tenant and the counts, never the user's id: the log outlives the forgetting.
    log.info(
        "forgot a user of tenant {}: deleted {}, anonymized {}",
        caller.tenant().id(),
        forgotten.deleted(),
        forgotten.anonymized());
    return new MemoryForgotten(userId, forgotten.anonymized(), forgotten.deleted());
  }
}
