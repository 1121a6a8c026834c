package io.engram.api.problems;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.core.propagation.PropagatedContext;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The request's logging MDC: one element that grows, so a later key keeps the request id. */
class RequestIdsLogTest {

  @Test
  void a_later_key_joins_the_request_id_on_the_threads_of_the_request() {
    MutablePropagatedContext context = MutablePropagatedContext.of(PropagatedContext.empty());
    RequestIds.logWith(context, RequestIds.MDC_KEY, "req-7");
    RequestIds.logWith(context, RequestIds.TENANT_MDC_KEY, "acme");

    assertThat(context.getContext().findAll(MdcPropagationContext.class)).hasSize(1);
    MDC.clear();
    try (PropagatedContext.Scope ignored = context.getContext().propagate()) {
      assertThat(MDC.get(RequestIds.MDC_KEY)).isEqualTo("req-7");
      assertThat(MDC.get(RequestIds.TENANT_MDC_KEY)).isEqualTo("acme");
    }
    assertThat(MDC.get(RequestIds.MDC_KEY)).isNull();
  }
}
