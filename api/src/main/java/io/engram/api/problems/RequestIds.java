package io.engram.api.problems;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every request an id, returned as {@value #HEADER} on every response, so a client can quote
 * the id of a failed request and an operator can find its log line (with the stack trace) by it. A
 * sane id sent by the client (e.g. a proxy's) is kept; anything else is replaced.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  private static final String ATTRIBUTE = "engram.request-id";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The request's id, assigning one if the filter has not (e.g. a request that never matched). */
  public static String of(HttpRequest<?> request) {
    return request
        .getAttribute(ATTRIBUTE, String.class)
        .orElseGet(
            () -> {
              String id = fromClientOrNew(request);
              request.setAttribute(ATTRIBUTE, id);
              return id;
            });
  }

  @RequestFilter
  void assign(HttpRequest<?> request) {
    of(request);
  }

  @ResponseFilter
  void echo(HttpRequest<?> request, MutableHttpResponse<?> response) {
    response.getHeaders().set(HEADER, of(request));
  }

  private static String fromClientOrNew(HttpRequest<?> request) {
    String given = request.getHeaders().get(HEADER);
    return given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
  }
}
