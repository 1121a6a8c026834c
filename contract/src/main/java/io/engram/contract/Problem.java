package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 7807 problem body ({@code application/problem+json}), the shape of every error the API
 * answers with.
 *
 * @param type a URI naming the kind of problem
 * @param title a short summary of the kind
 * @param status the HTTP status code
 * @param detail what went wrong with this request and what to do about it; absent on a 500, which
 *     never carries exception or database text
 * @param requestId the id the API logged the failure under (also sent as {@code X-Request-Id})
 * @param errors the request's invalid fields, when the body could not be bound or validated
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String requestId,
    List<InvalidField> errors) {

  public static final String MEDIA_TYPE = "application/problem+json";

  public Problem {
    errors = errors == null || errors.isEmpty() ? null : List.copyOf(errors);
  }

  public Problem(String type, String title, int status, String detail) {
    this(type, title, status, detail, null, null);
  }

  /**
   * One invalid field of a request.
   *
   * @param pointer where the field is in the body, as a JSON pointer ({@code /files/0/sha256}), or
   *     the name of the query or path parameter
   * @param detail what was expected there
   */
  public record InvalidField(String pointer, String detail) {}
}
