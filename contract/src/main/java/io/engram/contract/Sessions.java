package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/** {@code /v1/sessions}: conversations whose id goes into {@code /v1/query}. */
public final class Sessions {
  private Sessions() {}

  /** The longest user id, in characters (UTF-16 units). */
  public static final int USER_ID_MAX = 128;

  /** Why a user id was refused: the rule {@link Labels#PATTERN} holds it to. */
  public static final String USER_ID_RULE =
      "must not be blank, start or end with a space, or hold control or format characters";

  /**
   * A session to open.
   *
   * @param collection the collection it asks about (default: {@code default})
   * @param userId whose session it is: remembered facts are kept per user, so an id that is blank
   *     (which every anonymous caller could send) is refused; leave it out for a session whose
   *     facts are its own
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CreateSession(
      @Size(max = 63, message = SizeMessages.AT_MOST_CHARS) String collection,
      @Size(max = USER_ID_MAX, message = SizeMessages.AT_MOST_CHARS)
          @Pattern(
              regexp = Labels.PATTERN,
              message =
                  USER_ID_RULE
                      + ": facts are kept per user id; leave userId out for a session"
                      + " whose facts are its own")
          String userId) {}

  public record SessionCreated(String sessionId, String collection) {}

  /** A session's recent turns, oldest first. */
  public record SessionTurns(String sessionId, List<Turn> turns) {
    public SessionTurns {
      turns = turns == null ? List.of() : List.copyOf(turns);
    }
  }

  /**
   * One turn of working memory.
   *
   * @param role {@code user} or {@code assistant}
   * @param rewrittenQuery the user's follow-up as a standalone question, when it was rewritten
   * @param sources what the assistant's answer drew on
   */
  public record Turn(
      String role, String text, String intent, String rewrittenQuery, List<String> sources) {}
}
