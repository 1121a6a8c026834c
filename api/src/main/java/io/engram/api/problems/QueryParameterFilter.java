package io.engram.api.problems;

import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.MethodBasedRouteInfo;
import io.micronaut.web.router.RouteAttributes;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses a query parameter the route does not read, and one given more than once: strict binding
 * for the query string as {@link StrictJson} is for the body. Without it, {@code DELETE
 * /v1/users/ann/memory?tenant=other} is served for the caller's own tenant, silently, though the
 * client asked for another; and {@code ?limit=1&limit=500} is read as whichever value binding
 * happens to take. Runs after {@code AccessFilter}, so a caller without a valid key learns nothing
 * about a route's parameters.
 */
@ServerFilter("/v1/**")
@Order(200)
final class QueryParameterFilter {

  @RequestFilter
  void check(HttpRequest<?> request) {
    var parameters = request.getParameters();
    if (parameters.isEmpty()) {
      return;
    }
    Set<String> known = known(request);
    if (known == null) {
      return;
    }
    for (String name : new TreeSet<>(parameters.names())) {
      if (!known.contains(name)) {
        throw Problems.invalidField(
            name,
            known.isEmpty()
                ? "is not a parameter of this route, which takes none"
                : "is not a parameter of this route; its parameters are " + known);
      }
      List<String> values = parameters.getAll(name);
      if (values.size() > 1) {
        throw Problems.invalidField(name, "is given " + values.size() + " times; give it once");
      }
    }
  }

  /** The query parameters the matched route reads, or null where no controller method matched. */
  private static @Nullable Set<String> known(HttpRequest<?> request) {
    var route = RouteAttributes.getRouteInfo(request).orElse(null);
    if (!(route instanceof MethodBasedRouteInfo<?, ?> method)) {
      return null;
    }
    Set<String> known = new TreeSet<>();
    for (Argument<?> argument : method.getTargetMethod().getArguments()) {
      AnnotationMetadata annotations = argument.getAnnotationMetadata();
      if (annotations.hasAnnotation(QueryValue.class)) {
        known.add(annotations.stringValue(QueryValue.class).orElse(argument.getName()));
      }
    }
    return known;
  }
}
