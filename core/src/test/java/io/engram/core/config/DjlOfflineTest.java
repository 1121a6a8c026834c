package io.engram.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DjlOfflineTest {
  private String saved;

  @BeforeEach
  void save() {
    assumeTrue(System.getenv("DJL_OFFLINE") == null, "DJL_OFFLINE is set in this environment");
    saved = System.getProperty(DjlOffline.PROPERTY);
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(DjlOffline.PROPERTY);
    } else {
      System.setProperty(DjlOffline.PROPERTY, saved);
    }
  }

  @Test
  void turns_offline_mode_on_when_nobody_chose() {
    System.clearProperty(DjlOffline.PROPERTY);
    DjlOffline.enable();
    assertThat(System.getProperty(DjlOffline.PROPERTY)).isEqualTo("true");
  }

  @Test
  void leaves_an_operators_choice_alone() {
    System.setProperty(DjlOffline.PROPERTY, "false");
    DjlOffline.enable();
    assertThat(System.getProperty(DjlOffline.PROPERTY)).isEqualTo("false");
  }
}
