package io.engram.contract;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.constraints.Size;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code @Size} of the contract's records says what is allowed in its own unit, not Bean
 * Validation's "size must be between 0 and N": a new field with a bare {@code @Size} fails here.
 */
class SizeMessagesTest {

  /** Every record of the contract's package, nested ones included. */
  private static List<Class<?>> records() throws Exception {
    Path root = classes();
    List<Class<?>> records = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = root.relativize(file).toString().replace('/', '.').replace(".class", "");
        Class<?> type = Class.forName(name, false, SizeMessagesTest.class.getClassLoader());
        if (type.isRecord()) {
          records.add(type);
        }
      }
    }
    return records;
  }

  /** The root the contract's classes were loaded from. */
  private static Path classes() throws URISyntaxException {
    return Path.of(Keys.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  @Test
  void every_size_constraint_says_what_is_allowed_in_characters_or_items() throws Exception {
    List<String> checked = new ArrayList<>();
    for (Class<?> record : records()) {
      for (RecordComponent component : record.getRecordComponents()) {
        Size size = component.getAnnotation(Size.class);
        if (size == null) {
          size = record.getDeclaredField(component.getName()).getAnnotation(Size.class);
        }
        if (size == null) {
          continue;
        }
        String field = record.getSimpleName() + "." + component.getName();
        boolean text = component.getType() == String.class;
        boolean bounded = size.min() > 0;
        String expected =
            text
                ? (bounded ? SizeMessages.CHARS_BETWEEN : SizeMessages.AT_MOST_CHARS)
                : (bounded ? SizeMessages.ITEMS_BETWEEN : SizeMessages.AT_MOST_ITEMS);
        assertThat(size.message()).as(field).isEqualTo(expected);
        checked.add(field);
      }
    }
    assertThat(checked).contains("QueryRequest.query", "CreateKey.scopes").hasSizeGreaterThan(30);
  }

  /**
   * {@code @Size} counts UTF-16 code units, so an emoji counts as two: the text messages say so, or
   * a value of 100 emoji would be refused as more than "at most 128 characters".
   */
  @Test
  void text_messages_say_a_character_outside_the_basic_plane_counts_as_two() {
    assertThat("\uD83D\uDE00".repeat(100)).hasSize(200);
    for (String message : List.of(SizeMessages.AT_MOST_CHARS, SizeMessages.CHARS_BETWEEN)) {
      assertThat(message)
          .contains("characters")
          .contains("outside the Basic Multilingual Plane", "emoji", "counts as two");
    }
  }
}
