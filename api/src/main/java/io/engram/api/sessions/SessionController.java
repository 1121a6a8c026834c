package io.engram.api.sessions;

import io.engram.api.auth.Caller;
import io.engram.api.collections.CollectionLookup;
import io.engram.api.problems.ProblemResponses;
import io.engram.api.problems.Problems;
import io.engram.contract.Sessions.CreateSession;
import io.engram.contract.Sessions.SessionCreated;
import io.engram.contract.Sessions.SessionTurns;
import io.engram.contract.Sessions.Turn;
import io.engram.core.CoreServices;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.memory.WorkingMemory;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * Conversation sessions: {@code POST /v1/sessions} opens one, its id goes into {@code /v1/query}.
 */
@Controller("/v1/sessions")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
public class SessionController {

  private final WorkingMemory memory;
  private final CollectionLookup collections;

  SessionController(CoreServices core, CollectionLookup collections) {
    this.memory = core.workingMemory();
    this.collections = collections;
  }

  /** Opens a session of the caller's tenant, bound to it and to its user from now on. */
  @Post
  @Status(HttpStatus.CREATED)
  HttpResponse<SessionCreated> create(Caller caller, @Valid @Nullable @Body CreateSession body)
      throws SQLException {
    String name =
        body == null || body.collection() == null ? CollectionRegistry.DEFAULT : body.collection();
    String collection = collections.existing(caller, "/collection", name);
    UUID id = memory.createSession(collection, body == null ? null : body.userId());
    return HttpResponse.created(new SessionCreated(id.toString(), name));
  }

  @Get("/{sessionId}/turns")
  SessionTurns turns(Caller caller, String sessionId) throws SQLException {
    UUID id = parse("sessionId", sessionId);
    if (memory.collectionOf(caller.tenant(), id).isEmpty()) {
      throw Problems.notFound("session", "no open session " + id);
    }
    List<Turn> turns =
        memory.recentTurns(id, 100).stream()
            .map(t -> new Turn(t.role(), t.text(), t.intent(), t.rewrittenQuery(), t.sources()))
            .toList();
    return new SessionTurns(id.toString(), turns);
  }

  /**
   * Parses a session id, or answers 400 naming {@code field} with what a valid one looks like. The
   * id is not echoed: it may be anything a client sent, up to a path or control characters.
   */
  public static UUID parse(String field, String sessionId) {
    if (sessionId.length() == 36) {
      try {
        return UUID.fromString(sessionId);
      } catch (IllegalArgumentException e) {
        // Answered below, like an id of the wrong length.
      }
    }
    throw Problems.invalidField(
        field, "expected a session id (a UUID) as POST /v1/sessions returns it");
  }
}
