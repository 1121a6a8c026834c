package io.engram.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegisteredVersionTest {

  @Test
  void a_reference_is_a_number_with_an_optional_v_and_collection() {
    assertThat(RegisteredVersion.Reference.parse("v3"))
        .contains(new RegisteredVersion.Reference(null, 3));
    assertThat(RegisteredVersion.Reference.parse("3"))
        .contains(new RegisteredVersion.Reference(null, 3));
    assertThat(RegisteredVersion.Reference.parse("scifact/v12"))
        .contains(new RegisteredVersion.Reference("scifact", 12));
    assertThat(RegisteredVersion.Reference.parse(RegisteredVersion.label("notes.v2", 7)))
        .contains(new RegisteredVersion.Reference("notes.v2", 7));
  }

  @Test
  void index_version_names_and_oversized_numbers_are_no_reference() {
    assertThat(RegisteredVersion.Reference.parse("bge-small-en-v1.5-q-c512-o64")).isEmpty();
    assertThat(RegisteredVersion.Reference.parse("v")).isEmpty();
    assertThat(RegisteredVersion.Reference.parse("v-3")).isEmpty();
    assertThat(RegisteredVersion.Reference.parse("V3")).isEmpty();
    assertThat(RegisteredVersion.Reference.parse("v9999999999")).isEmpty();
    assertThat(RegisteredVersion.Reference.parse("Notes/v3")).isEmpty();
    assertThat(RegisteredVersion.Reference.parse(null)).isEmpty();
  }
}
