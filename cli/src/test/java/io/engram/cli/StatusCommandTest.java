package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import io.engram.contract.Health;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code status} when a component is down, which a test cannot make the real API be on demand; the
 * healthy case against a real API is in {@link OperatorCommandsIT}.
 */
class StatusCommandTest {

  @Test
  void a_down_component_is_shown_with_its_error_and_exits_one() throws IOException {
    Health down =
        new Health(
            "DOWN",
            Map.of(
                "db", new Health.Component("UP", Map.of()),
                "temporal",
                    new Health.Component(
                        "DOWN",
                        Map.of("error", "UNAVAILABLE: io exception", "address", "x:7233"))));
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/health", r -> Response.json(503, down));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "status");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.out())
          .isEqualTo(
              "Engram API at "
                  + api.url()
                  + ": DOWN\n"
                  + "  db        UP\n"
                  + "  temporal  DOWN  (UNAVAILABLE: io exception)\n");
    }
  }
}
