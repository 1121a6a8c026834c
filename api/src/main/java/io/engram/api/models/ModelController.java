package io.engram.api.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.api.auth.Caller;
import io.engram.api.collections.CollectionLookup;
import io.engram.api.problems.ProblemResponses;
import io.engram.api.problems.Problems;
import io.engram.contract.Models;
import io.engram.contract.Models.AliasEventList;
import io.engram.contract.Models.AliasList;
import io.engram.contract.Models.AliasMove;
import io.engram.contract.Models.Archive;
import io.engram.contract.Models.VersionList;
import io.engram.contract.Models.VersionView;
import io.engram.core.CoreServices;
import io.engram.core.query.UnknownResourceException;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rollout.RolloutService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The model registry over HTTP: a collection's versions, its aliases and their audit, and the
 * changes an operator makes by hand (move an alias, archive a version, tag one). Moves and archives
 * are made by {@link ModelRegistry}, which audits them and refuses what it must (409, or 403 for a
 * production champion move without approval); an archive goes through {@link RolloutService}, which
 * also refuses the candidate of a running rollout (409: abort the rollout first).
 */
@Controller("/v1/models")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class ModelController {
  private static final int DEFAULT_EVENTS = 50;
  private static final Pattern TAG_KEY =
      Pattern.compile("^[A-Za-z0-9_.:/-]{1," + Models.MAX_TAG_KEY_CHARS + "}$");

  private static final TypeReference<LinkedHashMap<String, String>> TAGS = new TypeReference<>() {};

  private final ModelRegistry registry;
  private final RolloutService rollouts;
  private final CollectionLookup collections;
  private final ModelViews views;
  private final ObjectMapper json;

  ModelController(
      CoreServices core, CollectionLookup collections, ModelViews views, ObjectMapper json) {
    this.registry = core.registry();
    this.rollouts = core.rollouts();
    this.collections = collections;
    this.views = views;
    this.json = json;
  }

  /** {@code GET /v1/models?collection=C}: the collection's versions, newest first. */
  @Get
  VersionList list(Caller caller, @QueryValue String collection) {
    String key = collections.existing(caller, "collection", collection);
    return new VersionList(collection, views.views(caller, registry.list(key)));
  }

  // Versions are numbered from 1: a lower number is a malformed request (400 naming it), not an
  // unknown version (404).
  @Get("/{collection}/versions/{version}")
  VersionView show(Caller caller, String collection, @Min(1) int version) {
    return views.view(caller, require(caller, collection, version));
  }

  @Get("/{collection}/aliases")
  AliasList aliases(Caller caller, String collection) {
    String key = collections.existing(caller, "collection", collection);
    Map<String, Integer> aliases = new LinkedHashMap<>();
    for (String alias : ModelAliases.ALL) {
      registry.aliases().find(key, alias).ifPresent(t -> aliases.put(alias, t.version()));
    }
    return new AliasList(collection, aliases);
  }

  @Get("/{collection}/events")
  AliasEventList events(
      Caller caller,
      String collection,
      @Nullable @QueryValue @Min(1) @Max(Models.MAX_EVENTS) Integer limit) {
    String key = collections.existing(caller, "collection", collection);
    return new AliasEventList(
        collection,
        registry.events().list(key, limit == null ? DEFAULT_EVENTS : limit).stream()
            .map(ModelViews::event)
            .toList());
  }

  /** Moves an alias; a champion move keeps the old champion as {@code previous}. */
  @Post("/{collection}/aliases")
  VersionView promote(Caller caller, String collection, @Valid @Body AliasMove move) {
    String key = collections.existing(caller, "collection", collection);
    if (!ModelAliases.ALL.contains(move.alias())) {
      throw Problems.invalidField(
          "/alias", "must be one of " + String.join(", ", ModelAliases.ALL));
    }
    return views.view(
        caller,
        registry.promote(
            key,
            move.alias(),
            move.version(),
            Boolean.TRUE.equals(move.approve()),
            new ModelRegistry.Change(caller.getName(), move.reason(), null)));
  }

  @Post("/{collection}/versions/{version}:archive")
  VersionView archive(
      Caller caller, String collection, @Min(1) int version, @Valid @Body Archive body) {
    String key = require(caller, collection, version).collection();
    return views.view(
        caller,
        rollouts.archive(
            key, version, new ModelRegistry.Change(caller.getName(), body.reason(), null)));
  }

  /**
   * Sets the tags named in the body, {@code {"key": "value" | null}}; a null value removes one.
   * Other tags are kept.
   */
  @Put("/{collection}/versions/{version}/tags")
  VersionView tags(
      Caller caller,
      String collection,
      @Min(1) int version,
      @Body
          @Schema(
              implementation = Map.class,
              description = "tag key to its new value (a string), or to null to remove it")
          JsonNode body)
      throws JsonProcessingException {
    RegisteredVersion target = require(caller, collection, version);
    // Read from the tree here rather than bound as a map by Micronaut, whose binding of a map
    // leaves out the null entries that remove tags. The API's strict mapper reads it, so a value
    // that is not a string or null is refused naming its key, as binding would.
    Map<String, String> tags = json.treeToValue(body, json.getTypeFactory().constructType(TAGS));
    if (tags.isEmpty()) {
      throw Problems.invalidField("", "name at least one tag");
    }
    if (tags.size() > Models.MAX_TAGS_PER_CHANGE) {
      throw Problems.invalidField(
          "", "at most " + Models.MAX_TAGS_PER_CHANGE + " tags may change at once");
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      if (!TAG_KEY.matcher(tag.getKey()).matches()) {
        throw Problems.invalidField(
            "/" + pointerToken(tag.getKey()),
            "a tag key is 1-"
                + Models.MAX_TAG_KEY_CHARS
                + " of letters, digits, '_', '.', ':', '/', '-'");
      }
      if (ModelVersions.OWN_TAGS.contains(tag.getKey())) {
        throw Problems.invalidField(
            "/" + pointerToken(tag.getKey()),
            "tag '"
                + tag.getKey()
                + "' is Engram's own record (of an archive or a rollout's decision); choose"
                + " another key");
      }
      if (tag.getValue() != null && tag.getValue().length() > Models.MAX_TAG_VALUE_CHARS) {
        throw Problems.invalidField(
            "/" + pointerToken(tag.getKey()),
            "a tag value is at most " + Models.MAX_TAG_VALUE_CHARS + " characters");
      }
    }
    tags.forEach((key, value) -> registry.versions().tag(target.id(), key, value));
    return views.view(caller, require(caller, collection, version));
  }

  private RegisteredVersion require(Caller caller, String collection, int version) {
    String key = collections.existing(caller, "collection", collection);
    return registry
        .find(key, version)
        .orElseThrow(
            () ->
                new UnknownResourceException(
                    "model-version",
                    "no model version "
                        + RegisteredVersion.label(collection, version)
                        + "; GET /v1/models?collection="
                        + collection
                        + " lists them"));
  }

  /** A JSON pointer token for {@code key} (RFC 6901). */
  private static String pointerToken(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
