package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * {@code /v1/keys}: API keys, managed with an {@code admin} key: a tenant's own, or every tenant's
 * for the installation's operator (an admin key of tenant {@code default}). A key belongs to one
 * tenant and has scopes ({@code query}, {@code ingest}, {@code admin}); its token is returned once,
 * when it is created, and only its hash is stored.
 */
public final class Keys {
  /** The longest name a key may have. */
  public static final int MAX_NAME_CHARS = 100;

  private Keys() {}

  /**
   * A key to create.
   *
   * @param tenant whose key it is (default: the caller's tenant); a new tenant comes into being
   *     with its first key
   * @param name what the key is for, e.g. {@code search-frontend} (default: {@code key})
   * @param scopes what it may do: {@code query}, {@code ingest}, {@code admin}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CreateKey(
      @Size(min = 1, max = 32, message = SizeMessages.CHARS_BETWEEN) String tenant,
      @Size(min = 1, max = MAX_NAME_CHARS, message = SizeMessages.CHARS_BETWEEN)
          @Pattern(
              regexp = Labels.PATTERN,
              message =
                  "must not be blank, start or end with a space, or hold control or format"
                      + " characters (line breaks, tabs, escapes, direction overrides)")
          String name,
      @NotNull @Size(min = 1, max = 3, message = SizeMessages.ITEMS_BETWEEN) List<String> scopes) {}

  /**
   * A key as it is listed: never its token.
   *
   * @param hint the token's first characters, to tell keys apart
   * @param createdBy who made it: {@code key <id>}, {@code loopback} or {@code database}
   * @param lastUsedAt when it last authenticated a request (to the minute), or null
   * @param revokedAt when it was revoked, or null while it is active
   */
  public record KeyView(
      long id,
      String tenant,
      String name,
      List<String> scopes,
      String hint,
      boolean active,
      String createdBy,
      String createdAt,
      String lastUsedAt,
      String revokedAt) {}

  /**
   * A key just created.
   *
   * @param key the token to send as {@code Authorization: Bearer KEY}; shown this once only
   */
  public record KeyCreated(String key, KeyView apiKey) {}

  /** Keys, oldest first. */
  public record KeyList(List<KeyView> keys) {
    public KeyList {
      keys = keys == null ? List.of() : List.copyOf(keys);
    }
  }
}
