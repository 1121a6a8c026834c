package io.engram.api.memory;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.memory.Intent;
import io.engram.core.memory.WorkingMemory;
import io.engram.core.query.ExchangeListener;
import io.engram.workflows.memory.DistillationRequest;
import io.engram.workflows.memory.DistillationWorkflow;
import io.micronaut.scheduling.TaskExecutors;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signals a session's {@link DistillationWorkflow} every {@code distillEveryTurns} exchanges, and
 * at once after a turn that told something to remember (a {@link Intent#MEMORY_STATEMENT}, answered
 * "Noted"), so that the next question can recall it; with signal-with-start: a running distillation
 * picks the turns up, an idle session's starts anew. Off the request path, and a failure (Temporal
 * down) is logged, never returned to the asker: the turns stay in working memory and the next
 * trigger, or the session cleanup, distils them.
 */
@Singleton
public class DistillationTrigger implements ExchangeListener {
  private static final Logger log = LoggerFactory.getLogger(DistillationTrigger.class);

  private final WorkflowClient client;
  private final WorkingMemory memory;
  private final int distillEveryTurns;
  private final ExecutorService executor;

  DistillationTrigger(
      WorkflowClient client,
      CoreServices core,
      EngramSettings settings,
      @Named(TaskExecutors.BLOCKING) ExecutorService executor) {
    this.client = client;
    this.memory = core.workingMemory();
    this.distillEveryTurns = settings.conversation().distillEveryTurns();
    this.executor = executor;
  }

  /** Called after an exchange was appended to the session's working memory. */
  @Override
  public void exchangeAppended(UUID sessionId, Intent intent) {
    if (distillEveryTurns <= 0) {
      return;
    }
    boolean told = intent == Intent.MEMORY_STATEMENT;
    executor.execute(
        () -> {
          try {
            WorkingMemory.Progress progress = memory.progress(sessionId);
            if (progress.userTurns() > 0
                && (told || progress.userTurns() % distillEveryTurns == 0)) {
              signal(sessionId.toString(), progress.lastTurnId());
            }
          } catch (Exception e) {
            log.warn("could not signal distillation of session {}: {}", sessionId, e.getMessage());
          }
        });
  }

  /** Signal-with-start; a stub starts one execution, so each call takes a fresh one. */
  void signal(String sessionId, long lastTurnId) {
    DistillationWorkflow workflow =
        client.newWorkflowStub(
            DistillationWorkflow.class, DistillationWorkflow.startOptions(sessionId));
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(workflow::distill, DistillationRequest.of(sessionId));
    request.add(workflow::turnsAdded, lastTurnId);
    client.signalWithStart(request);
    log.debug("signalled distillation of session {} up to turn {}", sessionId, lastTurnId);
  }
}
