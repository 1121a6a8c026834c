package io.engram.core.tenant;

import io.engram.core.collection.CollectionRegistry;
import java.util.regex.Pattern;

/**
 * A tenant: whose collections, documents, sessions, memory facts, model versions and rollouts they
 * are. Everything a tenant owns hangs off its collections, and core knows a collection only by its
 * <em>key</em>: the collection's name for the {@link #DEFAULT} tenant (so data from before tenants,
 * workflow ids and labels keep their names), {@code <tenant>~<name>} for any other. A caller's
 * collection name becomes a key in one place, {@link #collection}, so every statement that names a
 * collection names one tenant's; the database derives each row's tenant from the key by the same
 * rule ({@code engram_tenant}, migration V14).
 *
 * @param id 1-32 of a-z, 0-9, '_', '-', starting with a letter or digit
 */
public record Tenant(String id) {
  /** Separates a tenant from a collection name in a key; names and tenant ids never contain it. */
  public static final char SEPARATOR = '~';

  // Before DEFAULT: constructing DEFAULT validates its id with it.
  private static final Pattern ID = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,31}$");

  /** The tenant of data from before tenants, of the dev profile's loopback calls, of schedules. */
  public static final Tenant DEFAULT = new Tenant("default");

  public Tenant {
    if (!isValidId(id)) {
      throw new IllegalArgumentException(
          "a tenant id is 1-32 of a-z, 0-9, '_', '-', starting with a letter or digit");
    }
  }

  public static boolean isValidId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /**
   * The key of this tenant's collection {@code name}.
   *
   * @throws IllegalArgumentException when {@code name} is not a valid collection name
   */
  public String collection(String name) {
    if (!CollectionRegistry.isValidName(name)) {
      throw new IllegalArgumentException("not a valid collection name: " + name);
    }
    return equals(DEFAULT) ? name : id + SEPARATOR + name;
  }

  /** Whether the collection with key {@code key} is this tenant's. */
  public boolean owns(String key) {
    return key != null && ofCollection(key).equals(this);
  }

  /** The tenant whose collection {@code key} is. */
  public static Tenant ofCollection(String key) {
    int at = key.indexOf(SEPARATOR);
    return at < 0 ? DEFAULT : new Tenant(key.substring(0, at));
  }

  /** The collection's name as its tenant knows it: the key without the tenant. */
  public static String nameOf(String key) {
    return key == null ? null : key.substring(key.indexOf(SEPARATOR) + 1);
  }

  /**
   * {@code text} as this tenant is shown it: a collection key or a name made from one (a model
   * version's label {@code acme~notes/v3}) without this tenant's prefix.
   */
  public String shown(String text) {
    String prefix = id + SEPARATOR;
    return text != null && text.startsWith(prefix) ? text.substring(prefix.length()) : text;
  }
}
