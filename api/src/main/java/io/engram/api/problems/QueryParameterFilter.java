package io.engram.api.problems;

import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.core.annotation.Order;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.MethodBasedRouteInfo;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.UriRouteMatch;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Strict binding for the query string and the path, as {@link StrictJson} is for the body. Refuses,
 * with a 400 naming the parameter:
 *
 * <ul>
 *   <li>a query parameter the route does not read: without this, {@code DELETE
 *       /v1/users/ann/memory?tenant=other} is served for the caller's own tenant, silently, though
 *       the client asked for another;
 *   <li>one given more than once ({@code ?limit=1&limit=500} would be read as whichever value
 *       binding happens to take) or given empty ({@code ?limit=} was read as no limit, {@code
 *       ?collection=} as a malformed name);
 *   <li>an integer, in the path or the query, written other than with the digits 0-9 and an
 *       optional minus: Java reads Arabic-Indic or full-width digits ({@code /v1/studies/٥}) and a
 *       plus sign as a number, which a client cannot have meant as one.
 * </ul>
 *
 * Runs after {@code AccessFilter}, so a caller without a valid key learns nothing about a route's
 * parameters.
 */
@ServerFilter("/v1/**")
@Order(200)
final class QueryParameterFilter {

  /** How an integer is written on the wire. */
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

  private static final Set<Class<?>> INTEGRAL =
      Set.of(int.class, Integer.class, long.class, Long.class, short.class, Short.class);

  /** A parameter name longer than this is cut short where a problem repeats it. */
  private static final int NAME_SHOWN = 64;

  @RequestFilter
  void check(HttpRequest<?> request) {
    if (!(RouteAttributes.getRouteInfo(request).orElse(null)
        instanceof MethodBasedRouteInfo<?, ?> route)) {
      return;
    }
    Set<String> known = new TreeSet<>();
    for (Argument<?> argument : route.getTargetMethod().getArguments()) {
      queryName(argument).ifPresent(known::add);
    }
    var parameters = request.getParameters();
    for (String name : new TreeSet<>(parameters.names())) {
      String shown = shorten(name);
      if (!known.contains(name)) {
        throw Problems.invalidField(
            shown,
            known.isEmpty()
                ? "is not a parameter of this route, which takes none"
                : "is not a parameter of this route; its parameters are " + known);
      }
      List<String> values = parameters.getAll(name);
      if (values.size() > 1) {
        throw Problems.invalidField(shown, "is given " + values.size() + " times; give it once");
      }
      if (values.get(0).isEmpty()) {
        throw Problems.invalidField(shown, "is empty: give it a value, or leave it out");
      }
    }
    Map<String, Object> path =
        RouteAttributes.getRouteMatch(request).orElse(null) instanceof UriRouteMatch<?, ?> match
            ? match.getVariableValues()
            : Map.of();
    for (Argument<?> argument : route.getTargetMethod().getArguments()) {
      if (!INTEGRAL.contains(argument.getType())) {
        continue;
      }
      Optional<String> query = queryName(argument);
      String name = query.orElse(argument.getName());
      Object value = query.isPresent() ? parameters.get(name) : path.get(name);
      if (value != null && !INTEGER.matcher(value.toString()).matches()) {
        throw Problems.invalidField(
            name,
            "expected an integer, written with the digits 0-9 (and a leading '-' if below 0)");
      }
    }
  }

  /** The query parameter {@code argument} is bound from; empty for a path variable or other. */
  private static Optional<String> queryName(Argument<?> argument) {
    AnnotationMetadata annotations = argument.getAnnotationMetadata();
    return annotations.hasAnnotation(QueryValue.class)
        ? Optional.of(annotations.stringValue(QueryValue.class).orElse(argument.getName()))
        : Optional.empty();
  }

  private static String shorten(String name) {
    // Counted in code points, so an emoji is never cut in half.
    return name.codePointCount(0, name.length()) <= NAME_SHOWN
        ? name
        : name.substring(0, name.offsetByCodePoints(0, NAME_SHOWN)) + "…";
  }
}
