package io.engram.api.sessions;

import io.engram.api.problems.Problems;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.memory.WorkingMemory;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.SerdeImport;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * Conversation sessions: {@code POST /v1/sessions} opens one, its id goes into {@code /v1/query}.
 */
@Controller("/v1/sessions")
@ExecuteOn(TaskExecutors.BLOCKING)
@SerdeImport(WorkingMemory.Turn.class)
public class SessionController {

  @Serdeable
  record CreateSession(
      @Nullable @Size(max = 63) String collection, @Nullable @Size(max = 128) String userId) {}

  @Serdeable
  record SessionCreated(String sessionId, String collection) {}

  @Serdeable
  record SessionTurns(String sessionId, List<WorkingMemory.Turn> turns) {}

  private final WorkingMemory memory;
  private final CollectionRegistry collections;

  SessionController(WorkingMemory memory, CollectionRegistry collections) {
    this.memory = memory;
    this.collections = collections;
  }

  @Post
  HttpResponse<SessionCreated> create(@Valid @Nullable @Body CreateSession body)
      throws SQLException {
    String collection =
        body == null || body.collection() == null ? CollectionRegistry.DEFAULT : body.collection();
    if (!collections.exists(collection)) {
      throw Problems.notFound(
          "collection", "no collection '" + collection + "'; ingest into it first");
    }
    UUID id = memory.createSession(collection, body == null ? null : body.userId());
    return HttpResponse.created(new SessionCreated(id.toString(), collection));
  }

  @Get("/{sessionId}/turns")
  SessionTurns turns(String sessionId) throws SQLException {
    UUID id = parse(sessionId);
    if (memory.collectionOf(id).isEmpty()) {
      throw Problems.notFound("session", "no open session " + id);
    }
    return new SessionTurns(id.toString(), memory.recentTurns(id, 100));
  }

  /** Parses a session id, or answers 400 with what a valid one looks like. */
  public static UUID parse(String sessionId) {
    try {
      return UUID.fromString(sessionId);
    } catch (IllegalArgumentException e) {
      throw Problems.badRequest(
          "session id '"
              + sessionId
              + "' is malformed; use the sessionId POST /v1/sessions returned");
    }
  }
}
