package io.engram.api.problems;

import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.BasicHttpAttributes;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every request an id, returned as {@value #HEADER} on every response, so a client can quote
 * the id of a failed request and an operator can find its log line (with the stack trace) by it. A
 * sane id sent by the client (e.g. a proxy's) is kept; anything else is replaced. The id is also in
 * the logging MDC as {@value #MDC_KEY} on every thread that works on the request, so each line
 * logged for it (a field of the JSON log) carries it.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";

  /** The request id's key in the logging MDC and field in the JSON log. */
  public static final String MDC_KEY = "requestId";

  /**
   * The key of the caller's tenant in the logging MDC and field in the JSON log, set with {@link
   * #logWith} by whatever decides the caller.
   */
  public static final String TENANT_MDC_KEY = "tenant";

  private static final String ATTRIBUTE = "engram.request-id";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * What a log line names a request by: its route's template ({@code /v1/users/{userId}/memory}),
   * not its path, which holds ids that are the caller's (a user's id, a session's) and must not
   * reach the logs; a request that matched no route by its path's first segment alone.
   */
  public static String route(HttpRequest<?> request) {
    return BasicHttpAttributes.getUriTemplate(request)
        .orElseGet(
            () -> {
              String path = request.getPath();
              int second = path.indexOf('/', 1);
              return (second < 0 ? path : path.substring(0, second)) + "/… (no route)";
            });
  }

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
  void assign(HttpRequest<?> request, MutablePropagatedContext context) {
    logWith(context, MDC_KEY, of(request));
  }

  /**
   * Adds {@code key = value} to the logging MDC of every thread that works on the request, beside
   * what is there (the request id): each MDC element of a propagated context replaces the whole MDC
   * of the thread it is applied on, so a request has one, and this one grows.
   */
  public static void logWith(MutablePropagatedContext context, String key, String value) {
    Optional<MdcPropagationContext> current =
        context.getContext().find(MdcPropagationContext.class);
    Map<String, String> state = new HashMap<>();
    current.ifPresent(c -> state.putAll(c.state()));
    state.put(key, value);
    MdcPropagationContext next = new MdcPropagationContext(Map.copyOf(state));
    if (current.isPresent()) {
      context.replace(current.get(), next);
    } else {
      context.add(next);
    }
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
