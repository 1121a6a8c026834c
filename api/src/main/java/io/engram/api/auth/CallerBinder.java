package io.engram.api.auth;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import jakarta.inject.Singleton;

/**
 * Binds a controller's {@link Caller} parameter to the caller {@link AccessFilter} established. A
 * request the filter let through without one (a public endpoint) cannot bind it, so an endpoint
 * that takes a caller is never served anonymously by mistake.
 */
@Singleton
final class CallerBinder implements TypedRequestArgumentBinder<Caller> {
  @Override
  public Argument<Caller> argumentType() {
    return Argument.of(Caller.class);
  }

  @Override
  public BindingResult<Caller> bind(
      ArgumentConversionContext<Caller> context, HttpRequest<?> source) {
    return () -> source.getAttribute(Caller.ATTRIBUTE, Caller.class);
  }
}
